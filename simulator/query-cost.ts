import {
  getNamedType,
  getOperationAST,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";

/**
 * Shopify's calculated query cost, simplified: each selected field whose type is an
 * object (or interface/union) costs 1, scalars and enums cost nothing, and a query
 * costs at least 1. Connections (cost multiplied by `first`/`last`) come later.
 */
export function requestedQueryCost(schema: GraphQLSchema, document: DocumentNode, operationName?: string): number {
  const operation = getOperationAST(document, operationName);
  const rootType = operation ? schema.getRootType(operation.operation) : undefined;
  if (!operation || !rootType) return 1;
  const fragments = fragmentsByName(document);
  return Math.max(1, selectionSetCost(schema, operation.selectionSet, rootType, fragments, new Set()));
}

function selectionSetCost(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  parentType: GraphQLCompositeType,
  fragments: Map<string, FragmentDefinitionNode>,
  // Fragment names being expanded on the current path; guards against cycles in unvalidated documents.
  expanding: Set<string>,
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const fieldType = fieldTypeOf(parentType, selection.name.value);
      if (!fieldType) continue;
      cost += 1;
      if (selection.selectionSet) cost += selectionSetCost(schema, selection.selectionSet, fieldType, fragments, expanding);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
      if (isCompositeType(type)) cost += selectionSetCost(schema, selection.selectionSet, type, fragments, expanding);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      const type = fragment ? schema.getType(fragment.typeCondition.name.value) : undefined;
      if (!fragment || !isCompositeType(type) || expanding.has(name)) continue;
      expanding.add(name);
      cost += selectionSetCost(schema, fragment.selectionSet, type, fragments, expanding);
      expanding.delete(name);
    }
  }
  return cost;
}

/** The composite type of `parentType.fieldName`, or undefined for scalar/enum or unknown fields. */
function fieldTypeOf(parentType: GraphQLCompositeType, fieldName: string): GraphQLCompositeType | undefined {
  if (!isObjectType(parentType) && !isInterfaceType(parentType)) return undefined;
  const field = parentType.getFields()[fieldName];
  if (!field) return undefined;
  const namedType = getNamedType(field.type);
  return isCompositeType(namedType) ? namedType : undefined;
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

  private refill(): void {
    const now = this.now();
    const elapsedSeconds = (now - this.lastRefill) / 1000;
    this.available = Math.min(this.size, this.available + elapsedSeconds * this.restoreRate);
    this.lastRefill = now;
  }
}
