import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { authenticationError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';

const ISSUER = 'relaybase';
const AUDIENCE = 'relaybase:account';

/** Account JWTs: HS256 with JWT_SECRET, valid JWT_TTL_SECONDS (7 days by default). */
@Injectable()
export class AccountTokenService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  issue(accountId: string): string {
    return jwt.sign({}, this.config.auth.jwtSecret, {
      algorithm: 'HS256',
      subject: accountId,
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresIn: this.config.auth.jwtTtlSeconds,
    });
  }

  /** Returns the account id, or throws AUTHENTICATION_ERROR for a bad, tampered or expired token. */
  verify(token: string): string {
    try {
      const claims = jwt.verify(token, this.config.auth.jwtSecret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      }) as jwt.JwtPayload;
      if (typeof claims.sub !== 'string') throw new Error('no subject');
      return claims.sub;
    } catch (e) {
      throw authenticationError(e instanceof jwt.TokenExpiredError ? 'Token expired' : 'Invalid token');
    }
  }
}
