#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp, RegionError } from '../lib/app';

try {
  buildApp(new App());
} catch (error) {
  if (!(error instanceof RegionError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
