/** The capture reader family: pcap and pcapng (gzip is removed by openInput). */
export { captureReader, ingestCapture } from './ingest';
export { pcapFeatureNames, pcapSequenceShape, pcapFeatures } from './features';
