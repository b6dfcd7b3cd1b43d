// All conformance cases, in one list.
import type { ConformanceCase } from "../case.ts";
import { collectionCases } from "./collections.ts";
import { controlCases } from "./control.ts";
import { edgeCases, fmtEdgeCases, keyEdgeCases, regexEdgeCases } from "./edge.ts";
import { miscCases } from "./misc.ts";
import { numberCases } from "./numbers.ts";
import { printingCases } from "./printing.ts";
import { stringCases } from "./strings.ts";
import { vsoCases } from "./vso.ts";

export const allCases: ConformanceCase[] = [
  ...controlCases,
  ...printingCases,
  ...stringCases,
  ...numberCases,
  ...collectionCases,
  ...miscCases,
  ...vsoCases,
  ...edgeCases,
  ...regexEdgeCases,
  ...keyEdgeCases,
  ...fmtEdgeCases,
];
