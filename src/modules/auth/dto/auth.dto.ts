import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class RegisterDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({
    example: 'SecurePassword123!',
    description: '10-128 characters, three of: lower case, upper case, digits, symbols; not common; not your e-mail',
  })
  @IsString()
  @IsNotEmpty()
  password: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;
}

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'SecurePassword123!' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password: string;
}

export class TokenUsageDto {
  @ApiProperty({ example: '2026-11' }) currentMonth: string;
  @ApiProperty({ example: 0 }) tokensUsed: number;
  @ApiProperty({ example: 1000000 }) limit: number;
  @ApiProperty() lastResetDate: Date;
  @ApiProperty({ example: false }) overdraftAllowed: boolean;
}

export class AccountDto {
  @ApiProperty({ format: 'uuid' }) _id: string;
  @ApiProperty({ example: 'ada@example.com' }) email: string;
  @ApiProperty({ example: 'Ada Lovelace' }) name: string;
  @ApiProperty() createdAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) lastLogin: Date | null;
  @ApiProperty({ type: TokenUsageDto }) tokenUsage: TokenUsageDto;
  @ApiProperty({ example: false }) twoFactorEnabled: boolean;
}

export class SessionResponseDto {
  @ApiProperty({ example: 'Login successful' }) message: string;
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ description: 'Account JWT (HS256), valid 7 days; send as Authorization: Bearer <token>' }) token: string;
  @ApiProperty({ type: AccountDto }) user: AccountDto;
}

export class MeResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: AccountDto }) user: AccountDto;
}
