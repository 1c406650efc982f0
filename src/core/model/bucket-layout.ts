/**
 * The prefixes of the Updraft bucket. The CDK stack derives its lifecycle rules and event routes from
 * them, and the services write under them.
 */

/** DAG files; filelocs are relative to it. */
export const DAG_PREFIX = 'dags/';

/** The bundled JavaScript of every DAG version. */
export const BUNDLE_PREFIX = 'bundles/';

/** Task logs (`taskLogKey`): the only objects that expire. */
export const LOG_PREFIX = 'logs/';

/** XCom values too large for a metastore item. */
export const XCOM_PREFIX = 'xcom/';
