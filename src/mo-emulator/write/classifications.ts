/**
 * Facets, classes and IT systems. Their validity is open (`from`/`to` optional, ±infinity);
 * update writes the full attribute set on `[from or -inf, to or +inf)`; terminate cuts the
 * period (classes: unpublished, IT systems: inactive), so they vanish from reads there.
 * An update or terminate of a uuid MO does not have succeeds, answers the uuid and writes
 * nothing: `Scope.update` (`mora/lora.py`) swallows LoRa's NotFoundException, which
 * `patch_object_direct` (`oio_rest/oio_base.py`) raises after a read-only existence check, so the
 * request's transaction is not aborted either. References are not looked up (LoRa relations).
 */
import type { RequestContext } from '../context.ts';
import { writeWindow, type Data } from '../periods.ts';
import { Ref } from '../read/responses.ts';
import type { Kind } from '../store.ts';
import { givenFields, newUuid, terminate, terminationWindow, windowOf, type Input, type ValidityInput } from './common.ts';

function createObject(ctx: RequestContext, kind: Kind, input: Input, data: Data): Ref {
  const uuid = newUuid(input);
  const w = windowOf(input['validity'] as ValidityInput, true);
  ctx.save(kind, uuid, w.from < w.to ? [{ from: w.from, to: w.to, data }] : [], data);
  ctx.countMutation(`${kind}_create`);
  return new Ref(kind, uuid);
}

function updateObject(ctx: RequestContext, kind: Kind, input: Input, patch: Data): Ref {
  const uuid = input['uuid'] as string;
  const w = windowOf(input['validity'] as ValidityInput, true);
  const snapshot = ctx.snapshot(kind, uuid);
  ctx.countMutation(`${kind}_update`);
  if (!snapshot) return new Ref(kind, uuid);
  ctx.saveChange(kind, uuid, writeWindow(ctx.storedPeriods(kind, uuid), w.from, w.to, patch, snapshot), { ...snapshot, ...patch });
  ctx.countMutation(`${kind}_update`);
  return new Ref(kind, uuid);
}

/** Terminate; an unknown uuid is answered as done and nothing is written (see above). */
function terminateObject(ctx: RequestContext, kind: Kind, input: Input): Ref {
  if (ctx.snapshot(kind, input['uuid'] as string)) return terminate(ctx, kind, input, `${kind}_terminate`);
  terminationWindow(input);
  ctx.countMutation(`${kind}_terminate`);
  return new Ref(kind, input['uuid'] as string);
}

type Resolver = (src: unknown, args: { input: Input }, ctx: RequestContext) => Ref;

export const CLASSIFICATION_MUTATIONS: Record<string, Resolver> = {
  facet_create: (_s, { input }, ctx) =>
    createObject(ctx, 'facet', input, { user_key: input['user_key'], published: input['published'] ?? 'Publiceret' }),
  facet_update: (_s, { input }, ctx) =>
    updateObject(ctx, 'facet', input, { user_key: input['user_key'], published: input['published'] ?? 'Publiceret' }),

  class_create: (_s, { input }, ctx) => {
    return createObject(ctx, 'class', input, {
      user_key: input['user_key'],
      name: input['name'],
      facet: input['facet_uuid'],
      scope: input['scope'] ?? null,
      published: input['published'] ?? 'Publiceret',
      parent: input['parent_uuid'] ?? null,
      example: input['example'] ?? null,
      owner: input['owner'] ?? null,
      it_system: input['it_system_uuid'] ?? null,
      description: input['description'] ?? null,
    });
  },
  /** null scope/example/description/it_system keep their values; null parent/owner clear them. */
  class_update: (_s, { input }, ctx) => {
    const kept = givenFields(input, ['scope', 'example', 'description', 'it_system_uuid']);
    if ('it_system_uuid' in kept) {
      kept['it_system'] = kept['it_system_uuid'];
      delete kept['it_system_uuid'];
    }
    return updateObject(ctx, 'class', input, {
      user_key: input['user_key'],
      name: input['name'],
      facet: input['facet_uuid'],
      published: input['published'] ?? 'Publiceret',
      parent: input['parent_uuid'] ?? null,
      owner: input['owner'] ?? null,
      ...kept,
    });
  },
  class_terminate: (_s, { input }, ctx) => terminateObject(ctx, 'class', input),

  itsystem_create: (_s, { input }, ctx) =>
    createObject(ctx, 'itsystem', input, { user_key: input['user_key'], name: input['name'], system_type: null }),
  itsystem_update: (_s, { input }, ctx) =>
    updateObject(ctx, 'itsystem', input, { user_key: input['user_key'], name: input['name'] }),
  itsystem_terminate: (_s, { input }, ctx) => terminateObject(ctx, 'itsystem', input),
};
