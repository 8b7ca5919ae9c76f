export { pipelinesPlugin, PipelineCommandIDs } from './plugin';
