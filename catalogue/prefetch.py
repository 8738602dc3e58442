"""Small related lists fetched inside their parent's row, as JSON, instead of a query each.

A release page shows a dozen short lists (endorsements, chart entries, RIYL names, genres...).
Prefetching each costs a query; here each becomes a correlated ARRAY(SELECT json ...) column of
the parent's own query, and the rows are turned back into model instances placed in Django's
prefetch cache, so templates keep calling ``release.endorsements.all``.
"""

import functools

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, signals
from django.db.models.base import ModelState
from django.db.models.functions import JSONObject
from django.dispatch.dispatcher import NO_RECEIVERS

PREFIX = "_json_"


def json_list(queryset, link="release", outer="pk", limit=None, **fields):
    """A column holding queryset's rows (linked to the outer row through `link`) as JSON objects,
    the first `limit` of them when given.

    fields map JSON keys to lookups, e.g. name="name", artist=JSONObject(name="artist__name").
    Keys must be field names or attnames of queryset's model (or nested objects of related ones).
    """
    rows = queryset.filter(**{link: OuterRef(outer)}).values(json=JSONObject(**fields))
    return ArraySubquery(rows if limit is None else rows[:limit])


def annotate_lists(queryset, **lists):
    """Annotate each named list as a JSON array column: annotate_lists(qs, endorsements=json_list(...))."""
    return queryset.annotate(**{PREFIX + name: expression for name, expression in lists.items()})


def hydrate(instance, *names, into=None):
    """Move the JSON columns of instance into the prefetch caches of its relations.

    `into` names the object that owns the relations (e.g. release.film for "accolades"),
    defaulting to instance itself.
    """
    owner = instance if into is None else into
    for name in names:
        rows = getattr(instance, PREFIX + name, None) or []
        model, _ = _relation(owner, name)
        place(owner, name, [build(model, row) for row in rows])


# (model class, relation name) -> (related model, prefetch cache name): a related manager costs
# more to build than the rest of placing a list, and a release page places about twenty.
_relations = {}


def _relation(owner, name):
    relation = _relations.get((type(owner), name))
    if relation is None:
        manager = getattr(owner, name)
        relation = _relations[type(owner), name] = (manager.model, _cache_name(manager))
    return relation


def listed(owner, name):
    """What owner.<name>.all() gives, as a list, read from the prefetch cache when the list was
    placed or prefetched; otherwise through the manager, with its query.

    Django builds a new related manager on every owner.<name> (a release page read its tracks'
    artist credits some fifty times); this reads the cache without one. The list is the cache's
    own: read it, do not change it.
    """
    _, cache_name = _relation(owner, name)
    cached = getattr(owner, "_prefetched_objects_cache", {}).get(cache_name)
    if cached is not None and cached._result_cache is not None:
        return cached._result_cache
    return list(getattr(owner, name).all())


def place(owner, name, objects):
    """Put objects in the prefetch cache of owner's relation `name`, as prefetch_related would:
    owner.<name>.all() then returns them without a query."""
    model, cache_name = _relation(owner, name)
    # An empty queryset of the model's own class, as manager.none() gives: a filter chained onto
    # it finds nothing rather than querying the whole table. Every such queryset shares one
    # empty query per model: a queryset never changes its query in place (each filter, order or
    # slice works on a clone), and building a query cost more than the rest of placing a list.
    queryset = model._default_manager._queryset_class(model=model, query=_empty_query(model))
    queryset._result_cache = objects
    queryset._prefetch_done = True
    if not hasattr(owner, "_prefetched_objects_cache"):
        owner._prefetched_objects_cache = {}
    owner._prefetched_objects_cache[cache_name] = queryset


def build(model, data):
    """A model instance from one JSON row; nested objects become related instances."""
    fields, slots, defaults, per_instance = _layout(model)
    values = list(defaults)
    for slot in per_instance:
        values[slot] = fields[slot].get_default()
    nested = None
    for key, value in data.items():
        slot = slots.get(key)
        if slot is None or (isinstance(value, dict) and fields[slot].is_relation):
            nested = nested or {}
            nested[key] = value
        else:
            values[slot] = None if value is None else fields[slot].to_python(value)
    instance = _instance(model, values)
    for key, value in (nested or {}).items():
        field = model._meta.get_field(key)
        setattr(instance, key, build(field.related_model, value))
    return instance


def _instance(model, values):
    """A saved instance of model with values in the order of its concrete fields.

    Model.__init__ spends most of its time on what a row from the database does not need (keyword
    arguments, the pre_init and post_init signals); a release page builds some thirty instances
    this way. A model something listens to at init (an image field's dimension fields, say) goes
    through __init__.
    """
    if init_listened(model):
        instance = model(*values)
        instance._state.adding = False
        instance._state.db = "default"
        return instance
    return saved_instance(model, "default", _attnames(model), values)


def init_listened(model):
    """Whether anything listens to model's pre_init or post_init signals.

    Asked for every instance a page builds (some seventy on a release page). Once both signals
    have found no receiver for model they remember it until a receiver connects or disconnects,
    which is what Django's own Signal.send() checks first: 1.2 µs against 3.0 µs for
    has_listeners(), which resolves the receivers again."""
    if (
        signals.pre_init.sender_receivers_cache.get(model) is NO_RECEIVERS
        and signals.post_init.sender_receivers_cache.get(model) is NO_RECEIVERS
    ):
        return False
    return signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)


def saved_instance(model, db, attnames, values, fetch_mode=None):
    """An instance of model as read from database db, with values for the fields attnames, as
    Model.from_db() makes it: its attributes set as Model.__init__ sets them, each attname in the
    instance's __dict__ (the file fields' descriptors keep their value there too); a field left
    out loads on first access, as a deferred field does; the query's fetch mode, if it has one.
    Only for a model nothing listens to at init (init_listened)."""
    instance = model.__new__(model)
    instance.__dict__.update(zip(attnames, values, strict=True))
    state = instance._state = ModelState()
    state.adding = False
    state.db = db
    if fetch_mode is not None:
        state.fetch_mode = fetch_mode
    return instance


@functools.cache
def _attnames(model):
    return tuple(field.attname for field in model._meta.concrete_fields)


@functools.cache
def _empty_query(model):
    return model._default_manager.none().query


@functools.cache
def _layout(model):
    """model's concrete fields; their slots by name and attname; each one's default, worked out
    once where it is a constant; the slots whose default is worked out per instance."""
    fields = model._meta.concrete_fields
    slots = {}
    for slot, field in enumerate(fields):
        slots[field.name] = slots[field.attname] = slot
    per_instance = [
        slot for slot, field in enumerate(fields) if field.has_default() and callable(field.default)
    ]
    defaults = [
        None if slot in per_instance else field.get_default() for slot, field in enumerate(fields)
    ]
    return fields, slots, defaults, per_instance


def _cache_name(manager):
    # Many-to-many managers name their cache; reverse foreign-key managers take their field's.
    if hasattr(manager, "prefetch_cache_name"):
        return manager.prefetch_cache_name
    return manager.field.remote_field.cache_name
