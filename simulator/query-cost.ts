import {
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  getOperationAST,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  isAbstractType,
  isCompositeType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

/**
 * Shopify's calculated query cost (shopify.dev "GraphQL Admin API rate limits"): scalars
 * and enums cost 0, objects 1, a union or interface the most expensive of its possible
 * selections, a connection 2 plus `first`/`last` times the cost of one node, and each
 * mutation field 10 (its payload's selection comes on top). A query costs at least 1.
 *
 * The requested cost is computed before execution from the arguments; the actual cost
 * from the data returned, counting the nodes a connection really returned.
 */
export function requestedQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string,
  variables: Record<string, unknown> = {},
): number {
  return operationCost(schema, document, operationName, variables, undefined);
}

export function actualQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> = {},
  data: Record<string, unknown> | null | undefined,
): number {
  return operationCost(schema, document, operationName, variables, { value: data ?? {} });
}

export const CONNECTION_BASE_COST = 2;
export const MUTATION_FIELD_COST = 10;

/** `value` is the response data at this point when computing the actual cost. */
type Data = { value: unknown } | undefined;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  // Fragment names being expanded on the current path; guards against cycles in unvalidated documents.
  expanding: Set<string>;
}

function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
  data: Data,
): number {
  const operation = getOperationAST(document, operationName);
  const rootType = operation ? schema.getRootType(operation.operation) : undefined;
  if (!operation || !rootType) return 1;
  const walk: Walk = { schema, fragments: fragmentsByName(document), variables, expanding: new Set() };
  const isMutation = operation.operation === "mutation";
  return Math.max(1, selectionCost(walk, operation.selectionSet, rootType, data, isMutation));
}

/** Abstract types cost their most expensive concrete type: only one of them is returned. */
function selectionCost(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLCompositeType, data: Data, isMutationRoot = false): number {
  const concreteTypes = isAbstractType(type) ? walk.schema.getPossibleTypes(type) : [type as GraphQLObjectType];
  return Math.max(0, ...concreteTypes.map((concrete) => concreteSelectionCost(walk, selectionSet, concrete, data, isMutationRoot)));
}

function concreteSelectionCost(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLObjectType, data: Data, isMutationRoot: boolean): number {
  let cost = 0;
  for (const field of applicableFields(walk, selectionSet, type)) {
    const definition = type.getFields()[field.name.value];
    if (!definition) continue;
    let fieldData: Data;
    if (data !== undefined) {
      // Absent from the data: the field belongs to another concrete type, or was skipped.
      const value = valueAt(data.value, field.alias?.value ?? field.name.value);
      if (value === undefined) continue;
      fieldData = { value };
    }
    cost += fieldCost(walk, field, definition, fieldData, isMutationRoot);
  }
  return cost;
}

function fieldCost(walk: Walk, field: FieldNode, definition: GraphQLField<unknown, unknown>, data: Data, isMutationRoot: boolean): number {
  const namedType = getNamedType(definition.type);
  if (!isCompositeType(namedType)) return 0;
  const own = isMutationRoot ? MUTATION_FIELD_COST : 1;
  if (!field.selectionSet) return own;
  if (isConnection(namedType)) return connectionCost(walk, field, namedType, data);
  if (data === undefined) return own + selectionCost(walk, field.selectionSet, namedType, undefined);
  // A list of objects costs as its most expensive element; a null object costs only itself.
  const elements = Array.isArray(data.value) ? data.value : data.value === null ? [] : [data.value];
  return own + Math.max(0, ...elements.map((element) => selectionCost(walk, field.selectionSet!, namedType, { value: element })));
}

function connectionCost(walk: Walk, field: FieldNode, type: GraphQLObjectType, data: Data): number {
  const selectionSet = field.selectionSet!;
  if (data === undefined) {
    const pageSize = numberArgument(walk, field, "first") ?? numberArgument(walk, field, "last") ?? 0;
    return CONNECTION_BASE_COST + pageSize * nodeCost(walk, selectionSet, type, undefined, 0);
  }
  const connection = data.value as { edges?: unknown[]; nodes?: unknown[] } | null;
  const returned = Math.max(connection?.edges?.length ?? 0, connection?.nodes?.length ?? 0);
  let cost = CONNECTION_BASE_COST;
  for (let index = 0; index < returned; index++) cost += nodeCost(walk, selectionSet, type, data, index);
  return cost;
}

/** One node's cost through `edges { node }` or `nodes`, whichever selection is dearer; pageInfo is free. */
function nodeCost(walk: Walk, selectionSet: SelectionSetNode, connectionType: GraphQLObjectType, data: Data, index: number): number {
  let cost = 0;
  for (const field of applicableFields(walk, selectionSet, connectionType)) {
    const key = field.alias?.value ?? field.name.value;
    const listData = data === undefined ? undefined : { value: (valueAt(data.value, key) as unknown[] | undefined)?.[index] };
    if (field.name.value === "nodes" && field.selectionSet) {
      const nodeType = getNamedType(connectionType.getFields().nodes!.type) as GraphQLCompositeType;
      cost = Math.max(cost, 1 + selectionCost(walk, field.selectionSet, nodeType, listData));
    } else if (field.name.value === "edges" && field.selectionSet) {
      const edgeType = getNamedType(connectionType.getFields().edges!.type) as GraphQLObjectType;
      cost = Math.max(cost, concreteSelectionCost(walk, field.selectionSet, edgeType, listData, false));
    }
  }
  return cost;
}

function isConnection(type: GraphQLCompositeType): type is GraphQLObjectType {
  return isObjectType(type) && type.name.endsWith("Connection") && "pageInfo" in type.getFields();
}

/** The fields selected on `type`, through fragments that apply to it, minus @skip/@include exclusions. */
function applicableFields(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLObjectType): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (!isIncluded(walk, selection.directives)) continue;
    if (selection.kind === Kind.FIELD) {
      fields.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!selection.typeCondition || appliesTo(walk, selection.typeCondition.name.value, type)) {
        fields.push(...applicableFields(walk, selection.selectionSet, type));
      }
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (!fragment || walk.expanding.has(name) || !appliesTo(walk, fragment.typeCondition.name.value, type)) continue;
      walk.expanding.add(name);
      fields.push(...applicableFields(walk, fragment.selectionSet, type));
      walk.expanding.delete(name);
    }
  }
  return fields;
}

function appliesTo(walk: Walk, typeCondition: string, type: GraphQLObjectType): boolean {
  const condition = walk.schema.getType(typeCondition);
  if (!condition) return false;
  return condition === type || (isAbstractType(condition) && walk.schema.isSubType(condition, type));
}

function isIncluded(walk: Walk, directives: readonly DirectiveNode[] | undefined): boolean {
  for (const directive of directives ?? []) {
    const condition = directive.arguments?.find((argument) => argument.name.value === "if")?.value;
    const value = condition ? literalOrVariable(walk, condition) : undefined;
    if (directive.name.value === "skip" && value === true) return false;
    if (directive.name.value === "include" && value === false) return false;
  }
  return true;
}

function numberArgument(walk: Walk, field: FieldNode, name: string): number | undefined {
  const node = field.arguments?.find((argument) => argument.name.value === name)?.value;
  const value = node ? literalOrVariable(walk, node) : undefined;
  return typeof value === "number" ? value : undefined;
}

function literalOrVariable(walk: Walk, node: ValueNode): unknown {
  if (node.kind === Kind.VARIABLE) return walk.variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.BOOLEAN) return node.value;
  return undefined;
}

function valueAt(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
}

function fragmentsByName(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** Shopify's per-app-per-shop rate limit: a bucket of points that refills continuously. */
export class LeakyBucket {
  private available: number;
  private lastRefill: number;

  constructor(
    readonly size: number,
    readonly restoreRate: number,
    private readonly now: () => number = Date.now,
  ) {
    this.available = size;
    this.lastRefill = now();
  }

  /** Whole points available now, as Shopify reports them. */
  currentlyAvailable(): number {
    this.refill();
    return Math.floor(this.available);
  }

  /** Takes `cost` points if the bucket holds them; returns whether it did. */
  tryTake(cost: number): boolean {
    this.refill();
    if (this.available < cost) return false;
    this.available -= cost;
    return true;
  }

  /** Gives back what a query was charged beyond its actual cost. */
  refund(points: number): void {
    this.refill();
    this.available = Math.min(this.size, this.available + Math.max(0, points));
  }

  private refill(): void {
    const now = this.now();
    const elapsedSeconds = (now - this.lastRefill) / 1000;
    this.available = Math.min(this.size, this.available + elapsedSeconds * this.restoreRate);
    this.lastRefill = now;
  }
}
