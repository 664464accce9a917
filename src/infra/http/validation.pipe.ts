import { ValidationError, ValidationPipe } from '@nestjs/common';
import { validationError } from '../../common/domain-error';

function messages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) =>
      m.startsWith(`property ${e.property} `) ? m.replace(`property ${e.property}`, `property ${path}`) : m.replace(e.property, path),
    );
    return [...own, ...messages(e.children ?? [], path)];
  });
}

/** The one validation pipe: unknown fields are refused, types are converted, and failures become VALIDATION_ERROR. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const list = messages(errors);
      return validationError(list.join('; ') || 'Invalid request', { fields: list });
    },
  });
}
