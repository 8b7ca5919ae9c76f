import type { IPanelContext } from './context';
import type { IModelVersion, IRegisteredModel } from './registry-api';

/**
 * A section another part of the extension adds at the end of the model page.
 *
 * This is where model deployments will show (their own issue): a deployment
 * view registers a section that lists the deployments of the model's versions.
 * Nothing registers one yet, so the page shows no deployments section.
 */
export interface IModelPageSection {
  /** Unique among sections; also the section's `data-section`. */
  id: string;
  /** The section's body for one model, or null to show nothing. */
  render: (props: {
    ctx: IPanelContext;
    model: IRegisteredModel;
    versions: readonly IModelVersion[];
  }) => JSX.Element | null;
}
