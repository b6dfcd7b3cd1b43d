// `keyport crds`: print every CustomResourceDefinition as one YAML stream, e.g. `| kubectl apply -f -`.
import { renderCrdsYaml } from "../api/crd-yaml.ts";

process.stdout.write(renderCrdsYaml());
