import { autoscaleScenario } from './autoscale-scenario';
import { invokeScenario } from './invoke-scenario';
import { pubsubScenario } from './pubsub-scenario';
import type { Scenario } from './scenario';
import { stateScenario } from './state-scenario';

export const SCENARIOS: Scenario[] = [invokeScenario, pubsubScenario, stateScenario, autoscaleScenario];
export { LOAD_DEFAULTS, type LoadSettings, type Scenario, type ScenarioContext } from './scenario';
