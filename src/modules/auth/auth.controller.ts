import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ApiErrorResponses } from '../../infra/swagger/api-responses';
import { AccountOrApiKey, CurrentPrincipal, Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { LoginDto, MeResponseDto, RegisterDto, SessionResponseDto } from './dto/auth.dto';
import type { AccountPrincipal, ApiKeyPrincipal } from './principal';

@ApiTags('Accounts')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  @ApiOperation({ summary: 'Create an account; answers with a JWT valid 7 days' })
  @ApiCreatedResponse({ type: SessionResponseDto })
  @ApiErrorResponses(409)
  async register(@Body() dto: RegisterDto): Promise<SessionResponseDto> {
    const session = await this.auth.register(dto);
    return { message: 'User registered successfully', success: true, ...session };
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in; a wrong password and an unknown e-mail get the same 401' })
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiTooManyRequestsResponse({ description: 'Too many failed attempts for this e-mail or address; see Retry-After' })
  @ApiErrorResponses(429)
  async login(@Body() dto: LoginDto, @Ip() ip: string): Promise<SessionResponseDto> {
    const session = await this.auth.login(dto, ip);
    return { message: 'Login successful', success: true, ...session };
  }

  @Get('me')
  @AccountOrApiKey()
  @ApiOperation({ summary: 'Your profile and token usage (account JWT or any of your API keys)' })
  @ApiOkResponse({ type: MeResponseDto })
  @ApiErrorResponses()
  async getMe(@CurrentPrincipal() p: AccountPrincipal | ApiKeyPrincipal): Promise<MeResponseDto> {
    return { success: true, user: await this.auth.me(p.accountId) };
  }
}
