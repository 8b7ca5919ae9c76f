export { runLinkPlugin } from './plugin';
export {
  OPEN_RUN_COMMAND,
  readRunLink,
  RUN_LINK_MIME_TYPE,
  RunLinkRenderer
} from './renderer';
