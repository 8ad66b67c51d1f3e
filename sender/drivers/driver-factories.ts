// Which function builds each driver that shared/drivers/driver-config.ts names. A new
// driver is its own file, its settings entry there, and one line here.
import type { Database } from '../../shared/db/database';
import type { DriverConfig, DriverName, DriverSecrets } from '../../shared/drivers/driver-config';
import { createCaptureDriver } from './capture';
import type { Driver } from './driver';
import { createElasticEmailDriver } from './elasticemail';
import { createGmailDriver } from './gmail';
import { createMailgunDriver } from './mailgun';
import { createPostmarkDriver } from './postmark';
import { createSendgridDriver } from './sendgrid';
import { createSesDriver } from './ses';
import { createSparkpostDriver } from './sparkpost';
import { createSmtpDriver } from './smtp';

type DriverFactory<D extends DriverName> = (settings: { config: DriverConfig<D>; secrets: DriverSecrets<D> }, db: Database) => Driver;

export const driverFactories: { [D in DriverName]: DriverFactory<D> } = {
  smtp: (settings) => createSmtpDriver(settings),
  gmail: (settings) => createGmailDriver(settings),
  sendgrid: (settings) => createSendgridDriver(settings),
  postmark: (settings) => createPostmarkDriver(settings),
  ses: (settings) => createSesDriver(settings),
  mailgun: (settings) => createMailgunDriver(settings),
  sparkpost: (settings) => createSparkpostDriver(settings),
  elasticemail: (settings) => createElasticEmailDriver(settings),
  capture: (_settings, db) => createCaptureDriver(db),
};
