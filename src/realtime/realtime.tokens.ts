/** This process's id in the cluster (heartbeats, per-instance Redis keys, bus message origin). */
export const REALTIME_INSTANCE_ID = Symbol('REALTIME_INSTANCE_ID');
