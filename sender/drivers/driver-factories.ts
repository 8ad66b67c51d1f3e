// Which function builds each driver that shared/drivers/driver-config.ts names. A new
// driver is its own file, its settings entry there, and one line here.
import type { Database } from '../../shared/db/database';
import type { DriverConfig, DriverName, DriverSecrets } from '../../shared/drivers/driver-config';
import { createCaptureDriver } from './capture';
import type { Driver } from './driver';
import { createSmtpDriver } from './smtp';

type DriverFactory<D extends DriverName> = (settings: { config: DriverConfig<D>; secrets: DriverSecrets<D> }, db: Database) => Driver;

export const driverFactories: { [D in DriverName]: DriverFactory<D> } = {
  smtp: (settings) => createSmtpDriver(settings),
  capture: (_settings, db) => createCaptureDriver(db),
};
