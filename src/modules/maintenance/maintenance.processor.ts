import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { LoginThrottleService } from '../auth/login-throttle.service';
import { MAINTENANCE_QUEUE, MaintenanceJob } from './maintenance.jobs';

/** Periodic housekeeping. Every job name has exactly one handler here; an unknown one fails the job. */
@Processor(MAINTENANCE_QUEUE)
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  private readonly handlers: Record<MaintenanceJob, () => Promise<unknown>> = {
    'purge-login-throttle': async () => {
      const purged = await this.loginThrottle.purgeExpired();
      if (purged > 0) this.logger.log(`Purged ${purged} expired login-throttle entries`);
      return { purged };
    },
  };

  constructor(private readonly loginThrottle: LoginThrottleService) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as MaintenanceJob];
    if (!handler) throw new Error(`No handler for maintenance job "${job.name}"`);
    return handler();
  }
}
