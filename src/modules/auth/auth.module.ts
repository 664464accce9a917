import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantsModule } from '../tenants/tenants.module';
import { AccountRepository } from './account.repository';
import { AccountTokenService } from './account-token.service';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { ApiKeysController } from './api-keys.controller';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { CredentialService } from './credential.service';
import { Account } from './entities/account.entity';
import { ApiKey } from './entities/api-key.entity';
import { LoginThrottle } from './entities/login-throttle.entity';
import { LoginThrottleRepository } from './login-throttle.repository';
import { LoginThrottleService } from './login-throttle.service';

@Module({
  imports: [TypeOrmModule.forFeature([Account, ApiKey, LoginThrottle]), TenantsModule],
  controllers: [AuthController, ApiKeysController],
  providers: [
    AccountRepository,
    ApiKeyRepository,
    LoginThrottleRepository,
    AccountTokenService,
    AuthService,
    ApiKeyService,
    LoginThrottleService,
    CredentialService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [CredentialService, LoginThrottleService],
})
export class AuthModule {}
