// The slice of the configuration that commands touching only the database need.
import { edgeConfigSchema } from '../shared/config';

export const databaseConfigSchema = edgeConfigSchema.pick({ DATABASE_URL: true, DATABASE_AUTH_TOKEN: true });
