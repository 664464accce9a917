export const MAINTENANCE_QUEUE = 'maintenance';

/** Maintenance job names; the processor's handler map must cover every one (checked by the compiler). */
export type MaintenanceJob = 'purge-login-throttle';
export const MAINTENANCE_JOBS: readonly MaintenanceJob[] = ['purge-login-throttle'];
