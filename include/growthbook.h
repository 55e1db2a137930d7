/*
 * growthbook.h -- the C interface of libgrowthbook.
 *
 * libgrowthbook evaluates GrowthBook feature flags and experiments. The
 * evaluator is written in Swift and exported through this C ABI, so C, C++,
 * Python (ctypes/cffi), Rust, Go and any other language with a C FFI get the
 * same answers from the same code. Its answers follow GrowthBook's SDK spec
 * fixtures and the Python growthbook SDK 1.1.0.
 *
 * This header is the whole public interface. Link with -lgrowthbook.
 *
 * ---------------------------------------------------------------------------
 * CONVENTIONS (they hold for every function unless its comment says otherwise)
 * ---------------------------------------------------------------------------
 *
 * Strings. Every const char* argument is a NUL-terminated UTF-8 string that
 * the caller keeps ownership of; the library copies what it keeps and never
 * holds on to the pointer after the call returns. A string that is not valid
 * UTF-8 (bad bytes, overlong encodings, encoded surrogates) is rejected with
 * GB_ERR_UTF8.
 *
 * JSON. Structured data goes in and out as JSON text (RFC 8259). Input is
 * parsed strictly: no trailing commas, comments or garbage after the value,
 * nesting at most GB_MAX_JSON_DEPTH (128) levels deep. A parse failure gives
 * GB_ERR_JSON and a gb_last_error() message naming the byte offset of the
 * problem. Valid JSON of the wrong shape (e.g. attributes that are not an
 * object) gives GB_ERR_TYPE. Object keys that the library does not know are
 * ignored, for forward compatibility.
 *
 * Stack. Every call runs within 64 KiB of the calling thread's stack, whatever
 * its input: the nesting limit bounds how deep parsing, compiling, evaluating
 * and writing a value recurse, and prerequisite chains are cut at 64 levels
 * (Tests/c/test_hostile.c runs the deepest inputs on a 64 KiB thread).
 *
 * Results. Functions returning int give GB_OK (0) or a positive answer on
 * success and a negative GB_ERR_* code on failure. Functions returning a
 * pointer give NULL on failure. In both cases gb_last_error() and
 * gb_last_error_code() then say what went wrong. A failed call changes
 * nothing: the handle keeps its previous features, attributes and options.
 *
 * Memory. Every char* the library returns is allocated by the library and
 * owned by the caller, who releases it with gb_string_free(). A gb_handle is
 * released with gb_free(), a gb_attributes with gb_attributes_free(). Never
 * pass these pointers to free(): the library may use a different allocator.
 *
 * Callbacks. Strings passed to a callback are owned by the library and valid
 * only while the callback runs; copy what you need. Each callback receives
 * the user_data pointer given when it was registered, untouched. A callback
 * may run on any thread that calls into the library (the calling thread, for
 * the evaluation that caused it), or on one of the library's background
 * threads (remote refreshes and streams log to a handle and push features to
 * it). None runs after gb_free of its handle returned (see gb_free).
 *
 * Thread safety. Every function is safe to call from many threads at once,
 * on one shared handle or on different handles. The library never calls a
 * callback while holding an internal lock, so callbacks may call back into the
 * library, including on the same handle. The one exception: gb_free() must not
 * race with any other call on the same handle (as with free(), the caller
 * makes sure nobody else is using the handle when it is freed). Evaluations
 * running while another thread replaces the features finish on either the old
 * or the new features, never a mix of both.
 *
 * What sharing costs. A handle's features are compiled once, when they are
 * set, into one immutable snapshot (flat records: about 1.3 KB of resident
 * memory per feature of the benchmark's 5,000-feature payload, which compiles
 * in about 25 ms; BENCHMARKS.md) that every thread evaluates in place: no thread copies or
 * recompiles it, so a handle costs the same memory with 1 or 64 threads
 * evaluating on it, and a thread's first evaluation costs what any other
 * does. An evaluation takes no lock and writes no shared memory beyond one
 * counter on cache lines of its own (one of sixteen, one per thread; threads
 * beyond sixteen share them). A setter builds the new state on the calling
 * thread (gb_set_features_json compiles the payload there: milliseconds per
 * thousand features; the other setters microseconds) and swaps it in, in one
 * step with the other setters of the handle (they wait; evaluations go on
 * reading the old state); the state it replaced is freed when the last
 * evaluation that began on it ends.
 * The library keeps no per-thread copy of any handle's state: after gb_free
 * returns, the handle's memory is released (per thread, the library keeps
 * only a small reusable text buffer, at most 64 KiB, until the thread
 * exits).
 */
#ifndef GROWTHBOOK_H
#define GROWTHBOOK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ===========================================================================
 * Version and errors
 * =========================================================================== */

/* Version of this header. gb_version() gives the version of the library that
 * was actually loaded; they can differ when the shared library is upgraded
 * without recompiling. */
#define GB_VERSION "0.1.0"

/* Incremented only when a published signature or behaviour changes
 * incompatibly. Functions are only ever added within one ABI version. */
#define GB_ABI_VERSION 1

/* Result codes. Every failure also sets gb_last_error(). */
/* The deepest nesting JSON input may have: 128 levels parse, 129 do not. */
#define GB_MAX_JSON_DEPTH 128

/* The names of the semantics profiles: the "semantics" option of gb_create and
 * the first argument of gb_eval_condition_semantics_json (docs/semantics.md). */
#define GB_SEMANTICS_JS "js"                     /* GrowthBook's JS SDK 1.7.0 and
                                                    spec 0.8.0: the default */
#define GB_SEMANTICS_PYTHON_1_1_0 "python-1.1.0" /* the Python growthbook 1.1.0,
                                                    exactly */

enum {
    GB_OK = 0,                      /* success */
    GB_ERR_INVALID_ARGUMENT = -1,   /* NULL pointer or out-of-range value */
    GB_ERR_UTF8 = -2,               /* a string is not valid UTF-8 */
    GB_ERR_JSON = -3,               /* malformed JSON, nesting deeper than
                                       GB_MAX_JSON_DEPTH or input larger
                                       than the limit; the
                                       message names the byte offset */
    GB_ERR_TYPE = -4,               /* valid JSON of the wrong shape, e.g.
                                       attributes that are not an object */
    GB_ERR_NOT_FOUND = -5,          /* unknown subscription id */
    GB_ERR_CALLBACK = -6,           /* a host callback failed (reserved) */
    GB_ERR_NETWORK = -7,            /* remote loading: connection refused or
                                       reset, DNS failure, TLS failure, timeout */
    GB_ERR_HTTP = -8,               /* remote loading: HTTP status >= 400, or a
                                       payload without features */
    GB_ERR_DECRYPT = -9,            /* wrong key, corrupt ciphertext or padding,
                                       or decrypted text that is not UTF-8 or
                                       has a NUL byte */
    GB_ERR_NO_MEMORY = -10,         /* allocation failed */
    GB_ERR_BUSY = -11,              /* gb_shutdown: background threads still
                                       inside host callbacks at the timeout */
    GB_ERR_INTERNAL = -99           /* a bug in libgrowthbook; please report */
};

/* Log levels, as in Python's logging module. */
enum {
    GB_LOG_DEBUG = 10,
    GB_LOG_INFO = 20,
    GB_LOG_WARNING = 30,
    GB_LOG_ERROR = 40
};

/* The version of the loaded library, e.g. "0.1.0".
 * Returns a static string: do not free it. Never fails. Thread-safe. */
const char *gb_version(void);

/* A sentence describing the most recent failed gb_ call on the calling
 * thread, or "" if none failed.
 * The message is thread-local: a failure on one thread never shows on another.
 * Returns a string owned by the library (do not free it), valid until the next
 * gb_ call on this thread; copy it to keep it. Never returns NULL. */
const char *gb_last_error(void);

/* The GB_ERR_* code of the most recent failed gb_ call on the calling thread,
 * or GB_OK if none failed. Thread-local, like gb_last_error(). */
int gb_last_error_code(void);

/* Release a string returned by the library. NULL is accepted and ignored.
 * Thread-safe. Freeing a string twice, or one not returned by this library,
 * is undefined behaviour. */
void gb_string_free(char *s);

/* ===========================================================================
 * Lifecycle
 * =========================================================================== */

/* An evaluator instance: features, saved groups, default attributes, options,
 * callbacks, the tracked-experiment set and sticky-bucket state. Opaque. */
typedef struct gb_handle gb_handle;

/* Create a handle.
 *
 * options_json: NULL for defaults, or a JSON object; every key is optional and
 * unknown keys are ignored. These are exactly the "context" objects of
 * GrowthBook's spec fixture files:
 *
 *   {
 *     "attributes":       {...},          user attributes (default {})
 *     "features":         {...},          feature map, see gb_set_features_json
 *     "savedGroups":      {...},          see gb_set_saved_groups_json
 *     "forcedVariations": {"exp": 1},     see gb_set_forced_variations_json
 *     "qaMode":           false,          true: experiments are never run
 *     "enabled":          true,           false: every experiment is skipped
 *     "url":              "https://...",  page URL for URL targeting and
 *                                         ?exp-key=N query-string overrides
 *     "groups":           {"beta": true}, deprecated: experiment groups
 *     "overrides":        {"exp": {...}}, deprecated: per experiment key, a
 *                                         partial Experiment whose fields
 *                                         replace the experiment's own
 *     "stickyBucketing":  true,           use the built-in in-memory sticky
 *                                         bucket service
 *     "stickyBucketing":  {"redis": "redis://127.0.0.1:6379/0", ...}
 *                                         or keep assignments in Redis, shared
 *                                         by every process and host (see
 *                                         gb_use_redis_sticky_bucket_service)
 *     "stickyBucketAssignmentDocs": {"id||123": doc, ...},
 *                                         use the built-in service, seeded
 *                                         with these docs (see Sticky
 *                                         bucketing below)
 *     "stickyBucketIdentifierAttributes": ["id", "deviceId"]
 *                                         attributes whose docs are fetched;
 *                                         default: derived from the features'
 *                                         hashAttribute / fallbackAttribute
 *     "trackedExposuresLimit": 100000     how many tracked exposures the
 *                                         handle remembers for de-duplication
 *                                         (a positive integer; default 100,000;
 *                                         see gb_set_tracking_callback)
 *     "semantics": "js"                   which reference's rules the handle
 *                                         follows, fixed for its life (every
 *                                         feature set it installs is compiled
 *                                         for it, so the choice costs nothing
 *                                         per evaluation): GB_SEMANTICS_JS
 *                                         ("js", the default: GrowthBook's JS
 *                                         SDK 1.7.0, spec 0.8.0, with contextual
 *                                         bandits) or GB_SEMANTICS_PYTHON_1_1_0
 *                                         ("python-1.1.0": exactly the Python
 *                                         growthbook 1.1.0, for teams that must
 *                                         keep its assignments); the differences
 *                                         are listed in docs/semantics.md;
 *                                         another name is
 *                                         GB_ERR_INVALID_ARGUMENT
 *     "contextualBandits": {...}          spec 0.8.0: contextual bandit
 *                                         definitions by contextualBanditRef
 *                                         (js semantics; remote payloads carry
 *                                         them too)
 *   }
 *
 * Returns a new handle, owned by the caller and released with gb_free(), or
 * NULL on error (GB_ERR_UTF8, GB_ERR_JSON, GB_ERR_TYPE, GB_ERR_NO_MEMORY; for
 * the remote options under "Remote features": GB_ERR_TYPE for a value of the
 * wrong type, GB_ERR_INVALID_ARGUMENT for a number out of range, such as a
 * negative number of seconds or a timeout below 0.001).
 * Thread-safe.
 *
 * Cost: parsing options_json plus, when "features" is given, compiling them
 * (as gb_set_features_json); a handle without features starts with a feature
 * set shared by every such handle and allocates a few hundred bytes. A host
 * that makes a handle per request should not pass "features" each time but
 * load them once into one handle and share them with gb_set_features_from
 * (O(1)), or keep one handle and pass per-call attributes (gb_eval_with). */
gb_handle *gb_create(const char *options_json);

/* Destroy a handle and everything it owns. NULL is accepted and ignored.
 * Must not race with any other call on the same handle; after it returns the
 * handle must not be used.
 *
 * Lifecycle guarantee: once gb_free returns, no callback registered on the
 * handle (log, tracking, subscriptions, sticky-bucket get and save) runs
 * again, and none is running, whatever background work is in flight: a
 * refresh ("refreshInterval"), a stream ("streaming") or a stale-while-
 * revalidate refresh that is about to log to the handle or push new features
 * (and so reload its sticky-bucket docs) skips it. So the caller may free
 * each callback's user_data as soon as gb_free returns; the library never
 * touches user_data itself. To keep that promise gb_free waits for the
 * handle's callbacks that are running on other threads at that moment to
 * return (a background callback that takes long delays gb_free as long), so
 * do not call gb_free while holding a lock one of the handle's callbacks
 * takes. A callback running on the calling thread is not waited for: gb_free
 * of a handle from inside one of its own callbacks (on any thread, a
 * background one included) returns at once, the callback in progress
 * finishes, and no further callback of that handle is made. */
void gb_free(gb_handle *gb);

/* ===========================================================================
 * State
 *
 * Setters replace one part of the handle's state atomically: evaluations in
 * flight on other threads finish on the old state, later ones see the new
 * state. On failure the previous state is kept unchanged. All return GB_OK or
 * a negative GB_ERR_* code; a NULL handle or string gives
 * GB_ERR_INVALID_ARGUMENT.
 * =========================================================================== */

/* Replace the features.
 * features_json: a JSON object mapping feature key -> feature definition, in
 * the GrowthBook API format (the "features" member of the API response):
 *
 *   {"my-flag": {"defaultValue": false,
 *                "rules": [{"id": "fr_1", "condition": {"country": "US"},
 *                           "force": true},
 *                          {"key": "exp-1", "variations": [false, true],
 *                           "weights": [0.5, 0.5], "coverage": 1.0,
 *                           "hashAttribute": "id"}]}}
 *
 * Rules are force rules, rollouts (force + coverage/range) and experiment
 * rules (variations), with conditions, parentConditions (prerequisites),
 * filters, namespaces, seeds and hashVersion as in the GrowthBook spec.
 * Errors: GB_ERR_UTF8, GB_ERR_JSON, GB_ERR_TYPE (e.g. not an object). */
int gb_set_features_json(gb_handle *gb, const char *features_json);

/* Install the features `source` evaluates now into gb, without parsing or
 * compiling anything: both handles then evaluate one shared, immutable
 * compiled feature set (with the saved groups and contextual bandits it was
 * compiled against). Costs O(1) and no memory per feature, whatever the
 * feature count, so a host that makes a handle per request (or per user) loads
 * features once into one handle and shares them from it. Later changes to
 * either handle's features do not reach the other; gb's attributes, settings
 * and callbacks are its own. The sticky bucket docs are refreshed as by
 * gb_set_features_json. gb and source may be the same handle (nothing
 * changes). Thread-safe on both handles.
 * Errors: GB_ERR_INVALID_ARGUMENT (either handle NULL or not live, or the two
 * handles were created with different "semantics": a feature set is compiled
 * for one). */
int gb_set_features_from(gb_handle *gb, gb_handle *source);

/* Replace the saved groups referenced by $inGroup / $notInGroup conditions.
 * saved_groups_json: an object mapping group id -> array of values,
 * e.g. {"beta-testers": ["u1", "u7"]}.
 * Errors: GB_ERR_UTF8, GB_ERR_JSON, GB_ERR_TYPE. */
int gb_set_saved_groups_json(gb_handle *gb, const char *saved_groups_json);

/* Replace the handle's default attributes, used by every evaluation that is
 * not given per-call attributes.
 * attributes_json: a JSON object, e.g. {"id": "123", "country": "US"}.
 * If a sticky bucket service is set, its docs for the new attributes are
 * refreshed. Errors: GB_ERR_UTF8, GB_ERR_JSON, GB_ERR_TYPE (not an object). */
int gb_set_attributes_json(gb_handle *gb, const char *attributes_json);

/* Replace the forced variations: an object mapping experiment key -> variation
 * index, e.g. {"exp-1": 1}. A forced experiment returns that variation
 * without hashing (inExperiment true, hashUsed false).
 * Errors: GB_ERR_UTF8, GB_ERR_JSON, GB_ERR_TYPE (not an object). */
int gb_set_forced_variations_json(gb_handle *gb, const char *forced_json);

/* Replace the experiment overrides (deprecated, as the "overrides" option): an
 * object mapping experiment key -> fields that replace the experiment's, e.g.
 * {"exp-1": {"coverage": 0.5}}, applied as the option's are, from the next
 * evaluation on.
 * Errors: GB_ERR_UTF8, GB_ERR_JSON, GB_ERR_TYPE (not an object). */
int gb_set_overrides_json(gb_handle *gb, const char *overrides_json);

/* Set the page URL used by url targeting and by query-string overrides
 * (?exp-key=1). "" clears it. Errors: GB_ERR_INVALID_ARGUMENT, GB_ERR_UTF8. */
int gb_set_url(gb_handle *gb, const char *url);

/* QA mode on (nonzero) or off (0). In QA mode experiments are not run: every
 * experiment returns its control variation (inExperiment false) unless forced.
 * Errors: GB_ERR_INVALID_ARGUMENT (NULL handle). */
int gb_set_qa_mode(gb_handle *gb, int on);

/* Enable (nonzero) or disable (0) experiments. A disabled handle still
 * evaluates features (default values, force rules) but runs no experiments.
 * Errors: GB_ERR_INVALID_ARGUMENT (NULL handle). */
int gb_set_enabled(gb_handle *gb, int on);

/* The handle's default attributes as a JSON object.
 * Returns a new string (free with gb_string_free) or NULL on error. */
char *gb_get_attributes_json(gb_handle *gb);

/* The handle's features as a JSON object (feature key -> definition).
 * Returns a new string (free with gb_string_free) or NULL on error. */
char *gb_get_features_json(gb_handle *gb);

/* ===========================================================================
 * Evaluation
 *
 * Evaluate against the handle's current features and default attributes.
 * Side effects: an experiment that assigns a user fires the tracking callback
 * (once per assignment, see gb_set_tracking_callback), may notify
 * subscribers, and saves sticky-bucket assignments.
 * =========================================================================== */

/* Is the feature on? A value is "on" when it is truthy, as in the reference
 * SDK: null, false, 0 and "" are off.
 * Returns 1 (on), 0 (off, including an unknown feature), or a negative error:
 * GB_ERR_INVALID_ARGUMENT (NULL argument), GB_ERR_UTF8 (key). */
int gb_is_on(gb_handle *gb, const char *feature_key);

/* The negation of gb_is_on: 1 (off, including unknown), 0 (on), or a negative
 * error. */
int gb_is_off(gb_handle *gb, const char *feature_key);

/* Evaluate a feature. Returns a new string (free with gb_string_free), a
 * FeatureResult JSON object, or NULL on error:
 *
 *   {"value": <any JSON>,     the feature's value (null if unknown)
 *    "source": "...",         why: "unknownFeature" | "defaultValue" |
 *                             "force" | "experiment" | "prerequisite" |
 *                             "cyclicPrerequisite"
 *    "on": true|false,        value is truthy
 *    "off": true|false,       !on
 *    "ruleId": "...",         id of the rule that decided ("" if none)
 *    "experiment": {...},     only when source is "experiment": the
 *                             Experiment (shape below)
 *    "experimentResult": {...} only when source is "experiment": the
 *                             Result (shape below)
 *   }
 *
 * Result JSON (of an experiment run):
 *
 *   {"featureId": "..."|null, key of the feature the experiment came from
 *    "variationId": 0,        index of the assigned variation
 *    "inExperiment": true,    false when the user was excluded (then the
 *                             control variation's value is returned)
 *    "value": <any JSON>,     the variation's value
 *    "hashUsed": true,        the assignment came from hashing
 *    "hashAttribute": "id",   attribute that was hashed
 *    "hashValue": "123",      its value
 *    "key": "0",              the variation's key (meta key, or its index)
 *    "stickyBucketUsed": false, the assignment came from a sticky bucket
 *    "bucket": 0.863,         optional: the hash in [0,1) when hashed
 *    "name": "Control",       optional: the variation's meta name
 *    "passthrough": true      optional: the variation is a passthrough
 *   }
 *
 * Experiment JSON (input of gb_run_experiment_json, and output inside
 * FeatureResult and tracking callbacks); only "key" and "variations" are
 * required as input:
 *
 *   {"key": "exp-1", "variations": [<any JSON>, ...],
 *    "weights": [0.5, 0.5], "coverage": 1.0, "condition": {...},
 *    "namespace": ["ns-id", 0.0, 0.5], "force": 1,
 *    "hashAttribute": "id", "fallbackAttribute": "deviceId",
 *    "hashVersion": 2, "ranges": [[0, 0.5], [0.5, 1]],
 *    "meta": [{"key": "c", "name": "Control", "passthrough": false}, ...],
 *    "filters": [{"seed": "...", "ranges": [[0, 0.5]], "hashVersion": 2,
 *                 "attribute": "id"}],
 *    "seed": "...", "name": "...", "phase": "...",
 *    "active": true, "status": "running", "url": "regex", "groups": [...],
 *    "parentConditions": [{"id": "flag", "condition": {...}, "gate": true}],
 *    "disableStickyBucketing": false, "bucketVersion": 0,
 *    "minBucketVersion": 0}
 *
 * These shapes match the to_dict() output of the Python growthbook SDK.
 * Errors: GB_ERR_INVALID_ARGUMENT, GB_ERR_UTF8, GB_ERR_NO_MEMORY. */
char *gb_eval_feature_json(gb_handle *gb, const char *feature_key);

/* Just the feature's value, as JSON text ("null" for an unknown feature),
 * e.g. "true", "\"blue\"", "{\"size\":3}".
 * Returns a new string (free with gb_string_free) or NULL on error. */
char *gb_get_feature_value_json(gb_handle *gb, const char *feature_key);

/* Run an inline experiment (not attached to a feature) for the handle's
 * attributes. experiment_json: an Experiment object (see above).
 * Like experiments reached through feature rules, it fires the tracking
 * callback, records the assignment for gb_get_all_results_json and notifies
 * subscribers when the assignment changed.
 * Returns a new string, a Result JSON object ("featureId": null), or NULL on
 * error: GB_ERR_INVALID_ARGUMENT, GB_ERR_UTF8, GB_ERR_JSON, GB_ERR_TYPE (not
 * an object). */
char *gb_run_experiment_json(gb_handle *gb, const char *experiment_json);

/* The latest assignment of every experiment this handle has run, inline or
 * through a feature rule, by experiment key:
 *   {"exp-key": {"experiment": {...Experiment}, "result": {...Result}}}
 * Returns a new string (free with gb_string_free) or NULL on error. */
char *gb_get_all_results_json(gb_handle *gb);

/* ===========================================================================
 * Per-call attributes
 *
 * The _with calls evaluate against the given attributes instead of the
 * handle's, and never change the handle's attributes, so one handle can serve
 * many users at once (e.g. every request of a server). Tracking, subscriptions
 * and sticky bucketing still apply.
 * =========================================================================== */

/* Parsed, immutable attributes. Opaque. One gb_attributes may be used by many
 * threads and handles at once: it is parsed once into a flat document that
 * evaluations read in place, with no copy and no shared write. */
typedef struct gb_attributes gb_attributes;

/* Parse attributes once to use them for many calls.
 * attributes_json: a JSON object.
 * Returns a new gb_attributes (free with gb_attributes_free) or NULL on error:
 * GB_ERR_INVALID_ARGUMENT, GB_ERR_UTF8, GB_ERR_JSON, GB_ERR_TYPE. */
gb_attributes *gb_attributes_create(const char *attributes_json);

/* Release attributes. NULL is accepted and ignored. Must not race with calls
 * that use the same gb_attributes. A handle given them with gb_set_attributes
 * keeps its own reference: they may be released right after that call. */
void gb_attributes_free(gb_attributes *attributes);

/* ---------------------------------------------------------------------------
 * Attributes from typed values, without JSON text
 *
 * For hosts that hold attributes as their own values (a binding's dict, a C
 * struct): one call per value instead of writing JSON for the library to parse
 * again (for 13 attributes, about a third of gb_attributes_create's cost).
 *
 *   gb_attributes_builder *b = gb_attributes_builder_create();
 *   gb_attributes_builder_key(b, "id", 2);
 *   gb_attributes_builder_string(b, "user-1", 6);
 *   gb_attributes_builder_key(b, "tags", 4);
 *   gb_attributes_builder_begin_array(b);
 *   gb_attributes_builder_string(b, "beta", 4);
 *   gb_attributes_builder_end_array(b);
 *   gb_attributes *a = gb_attributes_builder_finish(b); // {"id":"user-1","tags":["beta"]}
 *   ... b builds the next attributes; gb_attributes_builder_free(b) at the end.
 *
 * The top-level object is open from the start: give its members as key, value,
 * key, value... Inside an object a key comes before each value; arrays take
 * values only. A call that does not fit where it comes (a value where a key is
 * due, an end that closes nothing, nesting past 128 levels, bytes that are not
 * UTF-8, a NaN or infinite double, a malformed integer literal) returns
 * GB_ERR_INVALID_ARGUMENT (GB_ERR_UTF8 for bad bytes) and changes nothing: the
 * builder takes the next call as if it had not been made. A key given twice
 * keeps its first position and its last value, as gb_attributes_create does.
 * Strings are (pointer, length) and may hold NUL bytes; a NULL pointer is
 * accepted with length 0. The result is the same gb_attributes as
 * gb_attributes_create gives for the JSON of the same values.
 *
 * A builder is not thread-safe: use each from one thread at a time (one per
 * thread, reused, is the cheap way). It keeps its memory between finishes.
 * --------------------------------------------------------------------------- */
typedef struct gb_attributes_builder gb_attributes_builder;

/* A new, empty builder (free with gb_attributes_builder_free). */
gb_attributes_builder *gb_attributes_builder_create(void);

/* Release a builder. NULL is accepted and ignored. */
void gb_attributes_builder_free(gb_attributes_builder *builder);

/* The key of the next member of the innermost object. */
int gb_attributes_builder_key(gb_attributes_builder *builder, const char *key, size_t length);

/* Values: each the value of the key just given, or the next element of the
 * innermost array. Return GB_OK or an error (see above). */
int gb_attributes_builder_string(gb_attributes_builder *builder, const char *s, size_t length);
int gb_attributes_builder_int(gb_attributes_builder *builder, int64_t value);
int gb_attributes_builder_double(gb_attributes_builder *builder, double value); /* finite */
int gb_attributes_builder_bool(gb_attributes_builder *builder, int value);
int gb_attributes_builder_null(gb_attributes_builder *builder);
/* An integer as its decimal literal (-?[1-9][0-9]* or 0), for integers beyond
 * 64 bits: kept exact where the semantics compare them exactly (python-1.1.0),
 * as a parsed JSON literal is. At most 4300 digits. */
int gb_attributes_builder_integer_literal(gb_attributes_builder *builder, const char *digits, size_t length);
int gb_attributes_builder_begin_array(gb_attributes_builder *builder);
int gb_attributes_builder_end_array(gb_attributes_builder *builder);
int gb_attributes_builder_begin_object(gb_attributes_builder *builder);
int gb_attributes_builder_end_object(gb_attributes_builder *builder);

/* The attributes built so far (every array and object closed, no key left
 * without its value), as a new gb_attributes (free with gb_attributes_free);
 * the builder is empty again. NULL on error (GB_ERR_INVALID_ARGUMENT): the
 * builder is left as it was. */
gb_attributes *gb_attributes_builder_finish(gb_attributes_builder *builder);

/* The handle's default attributes (as gb_set_attributes_json) from attributes made already (gb_attributes_create or
 * a builder): shared, not copied (the handle keeps a reference of its own).
 * Attributes equal to the handle's current ones, byte for byte, leave the
 * handle as it is (setting the same attributes again costs the comparison).
 * Errors: GB_ERR_INVALID_ARGUMENT (a NULL or dead gb or attributes). */
int gb_set_attributes(gb_handle *gb, const gb_attributes *attributes);

/* gb_is_on with the given attributes. Returns 1, 0 or a negative error. */
int gb_is_on_with(gb_handle *gb, const char *feature_key,
                  const gb_attributes *attributes);

/* gb_eval_feature_json with the given attributes. Returns a new FeatureResult
 * JSON string (free with gb_string_free) or NULL on error. */
char *gb_eval_feature_with(gb_handle *gb, const char *feature_key,
                           const gb_attributes *attributes);

/* gb_eval_feature_json with attributes given as a JSON object, parsed for
 * this call only. Returns a new FeatureResult JSON string (free with
 * gb_string_free) or NULL on error (including GB_ERR_JSON, GB_ERR_TYPE for
 * the attributes). */
char *gb_eval_feature_with_attributes_json(gb_handle *gb,
                                           const char *feature_key,
                                           const char *attributes_json);

/* ===========================================================================
 * Typed evaluation (for language bindings)
 *
 * One call with few arguments that describes a feature's value without JSON
 * for scalars, and writes text only where the value is text, so bindings
 * (Python through ctypes, where each argument costs) build native values
 * cheaply.
 * =========================================================================== */

/* The type of a value. */
enum {
    GB_VALUE_NULL = 0,
    GB_VALUE_FALSE = 1,
    GB_VALUE_TRUE = 2,
    GB_VALUE_INT = 3,       /* an integer literal that fits in 64 bits */
    GB_VALUE_DOUBLE = 4,
    GB_VALUE_STRING = 5,
    GB_VALUE_ARRAY = 6,
    GB_VALUE_OBJECT = 7
};

/* Where a feature's value came from (FeatureResult "source"). */
enum {
    GB_SOURCE_UNKNOWN_FEATURE = 0,
    GB_SOURCE_DEFAULT_VALUE = 1,
    GB_SOURCE_FORCE = 2,
    GB_SOURCE_EXPERIMENT = 3,
    GB_SOURCE_PREREQUISITE = 4,
    GB_SOURCE_CYCLIC_PREREQUISITE = 5
};

/* The fields of the summary a typed evaluation returns (when not negative). */
enum {
    GB_SUMMARY_TYPE_MASK = 0xF,     /* summary & GB_SUMMARY_TYPE_MASK: the
                                       GB_VALUE_* */
    GB_SUMMARY_SOURCE_SHIFT = 4,    /* (summary >> GB_SUMMARY_SOURCE_SHIFT) &
                                       GB_SUMMARY_SOURCE_MASK: the GB_SOURCE_* */
    GB_SUMMARY_SOURCE_MASK = 0xF,
    GB_SUMMARY_ON = 0x100           /* set when the value is truthy (the
                                       feature is on) */
};

/* What a typed evaluation reports, inside a gb_eval_buffer. */
typedef struct gb_value {
    int type;                /* GB_VALUE_* */
    int source;              /* GB_SOURCE_* */
    int on;                  /* 1 if the value is truthy (the feature is on) */
    int variation_id;        /* source EXPERIMENT: the variation index; else -1 */
    long long integer;       /* GB_VALUE_INT: the value */
    double number;           /* GB_VALUE_DOUBLE: the value */
    size_t length;           /* bytes of the value's text: STRING: the string's
                                UTF-8 (not quoted); ARRAY, OBJECT: its JSON;
                                DOUBLE: 0, or for an integer beyond 64 bits
                                (`number` is its nearest double) its decimal
                                literal as written; other types: 0 */
    size_t rule_id_length;   /* bytes of the deciding rule's id ("" if none) */
    size_t result_length;    /* gb_eval_result with source EXPERIMENT: bytes of
                                the FeatureResult JSON; else 0 */
    const char *text;        /* the value's text, NUL, the rule id, NUL, then
                                the FeatureResult JSON (if any), NUL */
} gb_value;

/* Where typed evaluations write: one per thread (it is not thread-safe), reused
 * call after call; it grows as needed. Owned by the caller. */
typedef struct gb_eval_buffer gb_eval_buffer;

/* A new buffer (free with gb_eval_buffer_free), or NULL when out of memory. */
gb_eval_buffer *gb_eval_buffer_create(void);
void gb_eval_buffer_free(gb_eval_buffer *buffer);

/* The buffer's gb_value: a pointer that stays valid (and is updated in place
 * by each evaluation into the buffer) until gb_eval_buffer_free. The `text` it
 * points to is valid until the next evaluation into the same buffer. */
const gb_value *gb_eval_buffer_value(const gb_eval_buffer *buffer);

/* Evaluate a feature for the handle's attributes into buffer (same side
 * effects as gb_eval_feature_json).
 * Returns a non-negative summary, type | source << 4 | on << 8 (so a binding
 * needs no field reads for null and boolean values), or a negative error. */
int gb_eval_value(gb_handle *gb, const char *feature_key, gb_eval_buffer *buffer);

/* As gb_eval_value, and when the value came from an experiment also writes
 * the whole FeatureResult JSON (with the experiment and its result) after the
 * rule id. Other results are fully described by gb_eval_value. */
int gb_eval_result(gb_handle *gb, const char *feature_key, gb_eval_buffer *buffer);

/* As gb_eval_value (with_result 0) or gb_eval_result (with_result 1), for the
 * given attributes (NULL: the handle's). */
int gb_eval_with(gb_handle *gb, const char *feature_key,
                 const gb_attributes *attributes, int with_result,
                 gb_eval_buffer *buffer);

/* ===========================================================================
 * Callbacks
 *
 * Each registration replaces the previous one of its kind (subscriptions
 * add). Strings passed to callbacks are valid only during the call. Callbacks
 * are called with no library lock held and may call back into the library.
 * =========================================================================== */

/* Called when a user is put in an experiment ("experiment viewed").
 * experiment_json: the Experiment, result_json: the Result. */
typedef void (*gb_tracking_fn)(const char *experiment_json,
                               const char *result_json, void *user_data);

/* Set (or with fn NULL, remove) the tracking callback. It fires once per
 * (hashAttribute, hashValue, experiment key, variation) per handle, the first
 * time an evaluation on any thread makes that assignment with inExperiment
 * true. The handle remembers the most recently seen trackedExposuresLimit of
 * these (gb_create's options; default 100,000, about 11 MB): one evicted, the
 * least recently seen, is tracked again when it comes back, so memory stays
 * bounded for a handle that sees millions of users, at the price of a repeated
 * call for users not seen among the last 100,000 exposures.
 * Returns GB_OK or GB_ERR_INVALID_ARGUMENT (NULL handle). */
int gb_set_tracking_callback(gb_handle *gb, gb_tracking_fn fn,
                             void *user_data);

/* Called when an experiment's assignment for this handle changes: when a run
 * of an experiment (inline or through a feature rule) gives a different
 * variationId or inExperiment than its previous run on this handle; the
 * first run counts as a change. */
typedef void (*gb_subscription_fn)(const char *experiment_json,
                                   const char *result_json, void *user_data);

/* Add a subscriber. Returns a positive subscription id, or a negative error
 * (GB_ERR_INVALID_ARGUMENT for a NULL handle or fn). */
int gb_subscribe(gb_handle *gb, gb_subscription_fn fn, void *user_data);

/* Remove a subscriber by the id gb_subscribe returned. Returns GB_OK,
 * GB_ERR_INVALID_ARGUMENT (NULL handle) or GB_ERR_NOT_FOUND (unknown id, or
 * already removed). Once it returns, the subscriber is not called again by
 * evaluations that start afterwards. */
int gb_unsubscribe(gb_handle *gb, int subscription_id);

/* Receives the library's log messages (message valid during the call). */
typedef void (*gb_log_fn)(int level, const char *message, void *user_data);

/* Set (or with fn NULL, remove) the log callback, for messages at min_level
 * (a GB_LOG_* value) and above. The library is silent by default. Returns
 * GB_OK or GB_ERR_INVALID_ARGUMENT (NULL handle). */
int gb_set_log_callback(gb_handle *gb, gb_log_fn fn, int min_level,
                        void *user_data);

/* The process-wide log callback: receives the messages of every handle that
 * has no log callback of its own (gb_set_log_callback), at min_level and
 * above; fn NULL removes it. For hosts whose handles all log to one place (a
 * language binding's logger): installed once, it makes a handle's creation
 * cost nothing for logging (a handle's own callback is a setting, and setting
 * it rebuilds the handle's state). Thread-safe; once this returns, the
 * callback it replaced is not running on another thread and is not called
 * again. Returns GB_OK. */
int gb_set_default_log_callback(gb_log_fn fn, int min_level, void *user_data);

/* ===========================================================================
 * Sticky bucketing
 *
 * Sticky bucketing keeps a user in the variation first assigned even when the
 * experiment's weights or coverage change. Assignments are stored per
 * identifier attribute as an assignment document:
 *
 *   {"attributeName": "id", "attributeValue": "123",
 *    "assignments": {"exp-key__0": "1"}}    experiment key "__" bucket
 *                                            version -> variation key
 *
 * Use the built-in in-memory service, the built-in Redis service (shared by
 * processes and hosts), or supply a host service (e.g. backed by a cookie or a
 * database) with a get and a save callback.
 * =========================================================================== */

/* Out-buffer handed to a sticky-bucket get callback. Opaque (a token, not an
 * address: never dereference it); valid only during the callback. Passed to
 * gb_buffer_set after the callback returned (from any thread), it gives
 * GB_ERR_INVALID_ARGUMENT, and so does any pointer that is not a live
 * buffer: the library looks it up in a table of live ones and never reads
 * memory through it. */
typedef struct gb_buffer gb_buffer;

/* Look up the assignment doc for (attribute_name, attribute_value). Put the
 * doc JSON into doc_out with gb_buffer_set, or leave it empty for "no doc".
 * Return 0, or nonzero on failure (logged, treated as no doc). */
typedef int (*gb_sticky_get_fn)(const char *attribute_name,
                                const char *attribute_value,
                                gb_buffer *doc_out, void *user_data);

/* Store an assignment doc (the whole doc, replacing the previous one for its
 * attributeName/attributeValue). Return 0, or nonzero on failure (logged). */
typedef int (*gb_sticky_save_fn)(const char *doc_json, void *user_data);

/* Copy json (an assignment doc: a JSON object) into the buffer; call from a
 * gb_sticky_get_fn. Returns GB_OK, GB_ERR_INVALID_ARGUMENT (NULL argument, or
 * a buffer whose callback has returned), GB_ERR_UTF8, GB_ERR_JSON, GB_ERR_TYPE
 * (not an object). */
int gb_buffer_set(gb_buffer *buffer, const char *json);

/* Use a host sticky bucket service: get and save callbacks sharing
 * user_data. Both NULL removes the service (and forgets the handle's cached
 * docs). Exactly one NULL gives GB_ERR_INVALID_ARGUMENT. Returns GB_OK or a
 * negative error. */
int gb_set_sticky_bucket_service(gb_handle *gb, gb_sticky_get_fn get,
                                 gb_sticky_save_fn save, void *user_data);

/* Use the built-in in-memory sticky bucket service (docs live as long as the
 * handle). Returns GB_OK or GB_ERR_INVALID_ARGUMENT (NULL handle). */
int gb_use_in_memory_sticky_bucket_service(gb_handle *gb);

/* Keep sticky bucket assignments in Redis, in the format of GrowthBook's own
 * Redis services (the JS SDK's RedisStickyBucketService, the GrowthBook
 * proxy), so they, and every process or host using this library on the same
 * Redis, share each user's assignments. options_json is the object of
 * gb_create's "stickyBucketing" option:
 *
 *   {"redis":   "redis://[[user]:password@]host[:port][/db]",  (required)
 *    "prefix":  "",      prepended to every key
 *    "ttl":     0,       seconds a doc lives after its last write; 0: ever
 *    "timeout": 0.05}    seconds one Redis operation may take, connecting
 *                        included (0.001 to 3600)
 *
 * Key: prefix + attributeName + "||" + attributeValue; value: the doc's JSON
 * text, {"attributeName":...,"attributeValue":...,"assignments":{...}}.
 *
 * Round trips: the docs of all identifier attributes are read with one MGET
 * when they are loaded (gb_create with attributes, a gb_set_attributes_* that
 * changes them, gb_refresh_sticky_buckets; each gb_eval_*_with call with
 * per-call attributes); the docs an evaluation call changes are written in
 * one pipeline when it returns (one SET per doc, with EX when "ttl" is set),
 * each merged on the server with the stored doc (a Lua script), so hosts
 * assigning the same user to different experiments keep both assignments.
 *
 * Failure is never fatal: Redis down, slower than "timeout" or answering
 * something that is not a doc, and the evaluation goes on without sticky
 * bucketing (as if no doc were stored), with a GB_LOG_WARNING message. After a
 * failure the server is backed off (0.1 s doubling to 5 s: meanwhile calls
 * skip Redis at once, logged at GB_LOG_DEBUG), then reconnected. Connections
 * are pooled per process and Redis URL, shared by every handle; a child of
 * fork() opens its own. Only this call's handle uses the service.
 *
 * Returns GB_OK, GB_ERR_INVALID_ARGUMENT (NULL handle, a URL that is not
 * redis://..., an option out of range), GB_ERR_UTF8, GB_ERR_JSON or
 * GB_ERR_TYPE. It does not connect: a Redis that is not up yet is not an
 * error. Thread-safe. */
int gb_use_redis_sticky_bucket_service(gb_handle *gb, const char *options_json);

/* The doc the handle's sticky bucket service holds for (attribute_name,
 * attribute_value), read from the service now (for Redis: one GET), as a new
 * JSON string (free with gb_string_free), "null" when there is none; NULL on
 * error (GB_ERR_INVALID_ARGUMENT: NULL argument or no service; GB_ERR_UTF8).
 * For tools and tests, and for a binding's service object. Thread-safe. */
char *gb_sticky_bucket_doc_json(gb_handle *gb, const char *attribute_name,
                                const char *attribute_value);

/* Save doc_json ({"attributeName": string, "attributeValue": string,
 * "assignments": object}) through the handle's sticky bucket service (for
 * Redis: merged with the stored doc, as evaluations save). The handle's cached
 * docs are not changed: gb_refresh_sticky_buckets(gb, 1) reloads them.
 * Returns GB_OK, GB_ERR_INVALID_ARGUMENT (NULL, or no service), GB_ERR_UTF8,
 * GB_ERR_JSON or GB_ERR_TYPE (not a doc). A Redis failure is logged, not
 * returned. Thread-safe. */
int gb_save_sticky_bucket_doc(gb_handle *gb, const char *doc_json);

/* The built-in service's docs, or the handle's cached docs for a host
 * service, as a JSON object {"attr||value": doc}; "{}" when there are none.
 * Returns a new string (free with gb_string_free) or NULL on error. */
char *gb_get_sticky_bucket_docs_json(gb_handle *gb);

/* Re-fetch the sticky bucket docs for the handle's attributes from the
 * service. With force 0 this only happens when the identifier attributes
 * changed since the last fetch; nonzero always fetches. Returns GB_OK or a
 * negative error. */
int gb_refresh_sticky_buckets(gb_handle *gb, int force);

/* Decides whether a user may enter an experiment (the Experiment "include"
 * function of other SDKs). Return 1 to include, 0 to exclude, negative for
 * an error (the user is excluded and the error logged). */
typedef int (*gb_include_fn)(const char *experiment_key, void *user_data);

/* gb_run_experiment_json with an include callback, called (at most once, on
 * the calling thread) after the experiment's other checks pass. include may
 * be NULL (same as gb_run_experiment_json). Returns a new Result JSON string
 * (free with gb_string_free) or NULL on error. */
char *gb_run_experiment_with_include_json(gb_handle *gb,
                                          const char *experiment_json,
                                          gb_include_fn include,
                                          void *user_data);

/* ===========================================================================
 * Remote features
 *
 * Features load from a GrowthBook API host: GET {apiHost}/api/features/{clientKey}
 * as the reference SDK does. The options of gb_create that configure it:
 *
 *   "apiHost":        "https://cdn.growthbook.io"   (default; trailing "/" ignored)
 *   "clientKey":      "sdk-abc123"                  (required for loading)
 *   "decryptionKey":  "base64 AES-128 key"          for encryptedFeatures /
 *                                                    encryptedSavedGroups payloads
 *   "cacheTTL":       60          seconds a cached payload is fresh
 *   "refreshInterval": 0          seconds; > 0 refreshes the payload in the
 *                                 background and updates this handle's features;
 *                                 at least 1 (a smaller positive value counts as
 *                                 1). After failed refreshes the wait backs off:
 *                                 interval x 2^failures, at most 300 s (or the
 *                                 interval if longer), jittered between half and
 *                                 all of that, never below the interval; one
 *                                 success restores the interval
 *   "streaming":      false       true: keep a server-sent-events connection to
 *                                 {apiHost}/sub/{clientKey} and apply each
 *                                 "features" event to this handle as it arrives
 *   "timeout":        10          seconds for a whole request (connect: 5); at
 *                                 least 0.001 (1 ms): there is no unlimited
 *                                 timeout, and gb_create rejects less (0
 *                                 included) with GB_ERR_INVALID_ARGUMENT
 *   "cache":          {"redis": "redis://host:6379/0",
 *                      "prefix": "growthbook:payload:", "timeout": 0.5}
 *                                 a payload cache in Redis shared by a fleet
 *                                 (below); "timeout": seconds per Redis
 *                                 operation, 0.001 to 3600
 *
 * Payloads are cached process-wide, keyed by apiHost and clientKey, and shared
 * by every handle: N handles (or N threads on a cold cache) cost one request.
 * A fresh entry is served from memory; an expired one is served as it is while
 * one background refresh runs (stale-while-revalidate; after a failed one the
 * next waits at least cacheTTL, kept between 1 and 30 s, backing off as above). Refreshes
 * of one entry never overlap: a refresh asked for while one runs (a stream's
 * "features-updated" events, an expired entry, the refresh interval) is folded
 * into at most one more after it. Refreshes send
 * If-None-Match with the entry's ETag, so an unchanged payload costs no body.
 * The payload cache on Redis ("cache"), for fleets that must not each ask the
 * API: behind the process-wide cache (which stays in front of it), a load or
 * refresh reads Redis first (one round trip): the hash prefix + apiHost + "::" +
 * clientKey holds the body as the API sent it and its ETag (kept 7 days after
 * its last write), and the key ...":fresh" exists for cacheTTL after each fetch
 * (so freshness is the server's clock, not each host's). Fresh: used, no
 * request. Expired or missing: the one process that takes the lock ...":lock"
 * (SET NX, expiring after timeout + 5 s) fetches, conditionally with the stored
 * ETag, and stores the outcome; meanwhile the others serve the stale payload,
 * or on a cold start wait (polling every 25 ms, at most timeout + 1 s) for the
 * holder's write, so a hundred workers starting at once cost one request. A
 * failed fetch serves the stale payload from Redis if there is one. Redis down,
 * slow or holding something unusable: the load fetches directly, with a
 * GB_LOG_WARNING message on the handle.
 * fork(): in the child, the parent's background threads do not exist; the
 * library starts again there the streams and refreshers its live handles
 * need (at-fork handlers), so a pre-forking server (gunicorn --preload, uwsgi)
 * may load features in the parent and fork workers. A stream's connection in
 * the parent stays the parent's: the child opens one of its own (it inherits
 * the descriptor and closes it at once). gb_free in the child never waits for a
 * callback that was running on another thread at the fork.
 * Background threads. Streams, periodic refreshers and refreshes in flight run
 * on threads of the library's own: at most one stream, one refresher and one
 * refresh per cache entry, whatever the number of handles or events. They end
 * by themselves once no live handle wants them, and are stopped and joined by
 * gb_shutdown and by the library's destructor (see gb_shutdown: dlclose).
 * HTTP goes through libcurl with TLS verification on, or through the host
 * transport set with gb_set_http_transport. libcurl speaks only http and
 * https, for the request and for the redirects it follows (at most 5): an
 * apiHost of any other scheme, or a redirect to one (ftp://, file://, ...), fails
 * with GB_ERR_NETWORK before any connection to it, and a request to an https
 * URL never follows a redirect to plain http (GB_ERR_NETWORK).
 * =========================================================================== */

/* Load features (and saved groups, when the payload has them) for the
 * handle's apiHost and clientKey: from the process-wide cache when it has the
 * entry, otherwise by a request (made once for all callers that need it at the
 * same time). Blocks until the features are installed or the load failed.
 * Returns GB_OK, or GB_ERR_INVALID_ARGUMENT (no clientKey), GB_ERR_NETWORK,
 * GB_ERR_HTTP, GB_ERR_JSON (malformed or truncated payload), GB_ERR_DECRYPT
 * (encrypted payload and no or a wrong decryptionKey). On failure the handle
 * keeps its previous features. Thread-safe.
 *
 * A load that finds another thread's request for the same apiHost and
 * clientKey in flight waits for it, at most its own "timeout" plus one second
 * (then GB_ERR_NETWORK). Called from inside the host transport (see
 * gb_set_http_transport) for the features that transport call is fetching, it
 * answers from the cache when the entry has a payload (a background refresh),
 * and otherwise fails at once with GB_ERR_NETWORK instead of waiting for
 * itself. */
int gb_load_features(gb_handle *gb);

/* Decrypt an encrypted GrowthBook payload ("<base64 iv>.<base64 ciphertext>",
 * AES-128-CBC with PKCS#7 padding) with a base64 key.
 * Returns the plain text as a new string (free with gb_string_free), or NULL on
 * error: GB_ERR_INVALID_ARGUMENT (NULL argument), GB_ERR_DECRYPT. A plain text
 * that is not UTF-8 or contains a NUL byte (it could not be returned whole as
 * a C string) is an error. Every failure past the input's format (bad padding,
 * not UTF-8, a NUL byte; in a load also decrypted text that is not a JSON
 * object) gives the same message, "decryption failed: wrong key or corrupt
 * payload", so errors do not reveal how far a forged ciphertext got; a
 * malformed input ("<iv>.<ciphertext>", base64, key size) is named as such.
 * Thread-safe. */
char *gb_decrypt(const char *encrypted, const char *key);

/* Stop the library's background work and wait for it: every stream, periodic
 * refresher and refresh in flight, of every handle. Their waits wake and
 * their HTTP transfers are aborted, so threads running library code end
 * within milliseconds; a thread inside a host callback (an HTTP transport,
 * or a log, tracking, sticky-bucket or subscription callback of a handle it
 * is updating) ends when that callback returns, and makes no further
 * callback. Waits at most timeout_ms milliseconds (0: only asks them to stop).
 *
 * Returns GB_OK once no background thread runs any more (all are joined), or
 * GB_ERR_BUSY when some are still inside host callbacks at the timeout (they
 * stop when their callbacks return: call again to wait longer), or
 * GB_ERR_INVALID_ARGUMENT for a negative timeout_ms.
 *
 * Handles stay valid and keep their features; they get no pushed updates
 * until gb_load_features is called on them again, which starts their streams
 * and refreshers anew. Thread-safe; from inside a callback on a background
 * thread it does not wait for that thread (which stops after the callback).
 *
 * dlclose. The library's destructor (run by dlclose, and at exit) does the
 * same with a timeout of 2 seconds, and deletes the library's thread-specific
 * keys, so unloading the library after freeing its handles is safe: no
 * thread runs its code afterwards, and threads that called it may exit later.
 * Call gb_shutdown first, with a timeout of your choice, when a background
 * thread may be inside a callback of yours that takes longer (GB_OK means
 * dlclose is safe). The library keeps libcurl loaded until the process exits
 * (libcurl may finish an abandoned DNS lookup on a thread of its own), and
 * each unload leaves behind the small per-thread state (a text buffer of at
 * most 64 KiB and the last error message) of the threads other than the
 * unloading one that made calls and are still alive. */
int gb_shutdown(int timeout_ms);

/* Drop every cached payload (the next load requests again). Streams and
 * background refreshes of live handles continue. Thread-safe. */
void gb_clear_cache(void);

/* A host-supplied HTTP transport, for hosts that must use their own HTTP stack
 * (proxies, mTLS, a mocked transport in tests). Process-wide, like the cache.
 *
 * The library calls fn for each GET it would make with libcurl, on the thread
 * that needs the response (a loading thread or a background refresher):
 *   url:                  the full URL
 *   request_headers_json: a JSON object of header name -> value, e.g.
 *                         {"Accept":"application/json","If-None-Match":"\"v1\""}
 *   response:             fill it with gb_http_response_set_status, _set_header
 *                         and _set_body; valid only during the call
 * Return 0 when a response was filled in, nonzero when the request failed
 * (treated as GB_ERR_NETWORK). Streaming ("streaming": true) needs libcurl and
 * is not routed through a host transport. */
typedef struct gb_http_response gb_http_response;
typedef int (*gb_http_fn)(const char *url, const char *request_headers_json,
                          gb_http_response *response, void *user_data);

/* Use fn for every HTTP request; NULL restores libcurl. Returns GB_OK. */
int gb_set_http_transport(gb_http_fn fn, void *user_data);

/* Fill in a response (only from inside a gb_http_fn). set_status: the HTTP
 * status (200, 304, 404, ...); set_header: one response header (an "ETag" is
 * remembered for If-None-Match); set_body: length bytes of body (copied).
 * Return GB_OK or GB_ERR_INVALID_ARGUMENT (also for a response whose callback
 * has returned, from any thread, and for any pointer that is not a live
 * response: a gb_http_response is a token looked up in a table of live ones,
 * never dereferenced, so a kept pointer reads no freed memory). */
int gb_http_response_set_status(gb_http_response *response, int status);
int gb_http_response_set_header(gb_http_response *response, const char *name,
                                const char *value);
int gb_http_response_set_body(gb_http_response *response, const char *body,
                              size_t length);

/* ===========================================================================
 * Spec helpers
 *
 * The building blocks of evaluation, exposed as pure functions with no
 * handle, so hosts can check them against GrowthBook's spec fixtures. All are
 * thread-safe and keep no state.
 * =========================================================================== */

/* Evaluate a targeting condition (MongoDB-style: $eq, $in, $gt, $regex,
 * $vgte, $elemMatch, $and, $or, $not, $inGroup, ...) against attributes.
 * saved_groups_json may be NULL (no saved groups).
 * Regex operators ($regex, $regexi, and experiments'
 * URL targeting) run on PCRE2 (Perl/Python syntax, Unicode-aware) with a
 * backtracking limit: a pattern that does not compile, or a search that
 * reaches the limit, makes the operator fail (as a raised exception does in
 * the reference SDK), so no pattern can hold an evaluation for long. This holds
 * for conditions in features too.
 * Work budget: the searches of one call (any gb_ call, with the callbacks it
 * makes; the prerequisites it evaluates included) share 4,000,000 backtracking
 * steps. Each search is charged the step limit it is given (10,000, 100,000 or
 * 1,000,000: the smallest covering 64 steps per subject byte), whatever it
 * used, so the budget is deterministic: a call with short subjects can run 400
 * searches. A search the rest of the budget cannot pay for is not made and its
 * operator fails; the handle logs one GB_LOG_WARNING for the call. The worst
 * case measured here is about 15 ms per call (1,000 backtracking rules, or a
 * regex-rule prerequisite named 2,000 times; Tests/c/test_hostile.c). Every
 * call starts with the full budget. See docs/hostile-inputs.md.
 * Returns 1 (matches), 0 (does not) or a negative error (GB_ERR_JSON,
 * GB_ERR_TYPE when the condition or attributes are not objects, ...). */
int gb_eval_condition_json(const char *condition_json,
                           const char *attributes_json,
                           const char *saved_groups_json);

/* gb_eval_condition_json under the rules of a named semantics
 * (GB_SEMANTICS_JS, GB_SEMANTICS_PYTHON_1_1_0; NULL: the default, js, as
 * gb_eval_condition_json): conditions
 * are where the references differ most (docs/semantics.md). An unknown name
 * is GB_ERR_INVALID_ARGUMENT. */
int gb_eval_condition_semantics_json(const char *semantics,
                                     const char *condition_json,
                                     const char *attributes_json,
                                     const char *saved_groups_json);

/* GrowthBook's FNV-1a based hash of seed and value into [0, 1).
 * version 1: fnv32a(value + seed) % 1000 / 1000; version 2: double hashing,
 * % 10000 / 10000. Returns 1 with *out set; 0 when the version is not
 * supported (no hash, *out untouched); or a negative error
 * (GB_ERR_INVALID_ARGUMENT for a NULL pointer, GB_ERR_UTF8). */
int gb_hash(const char *seed, const char *value, int version, double *out);

/* The bucket ranges of an experiment: a JSON array of [start, end] pairs,
 * e.g. [[0,0.25],[0.5,0.75]] for 2 variations at coverage 0.5.
 * coverage is clamped to [0,1]; weights_json may be NULL (equal weights); if
 * the weights are invalid (wrong count or not summing to ~1) equal weights are
 * used, as in the spec. Returns a new string (free with gb_string_free) or
 * NULL on error. */
char *gb_get_bucket_ranges_json(int num_variations, double coverage,
                                const char *weights_json);

/* The index of the range (a JSON array of [start, end] pairs) that contains
 * n, or -1 when none does. Returns GB_OK with *out set, or a negative error. */
int gb_choose_variation(double n, const char *ranges_json, int *out);

/* Whether user_id falls into the namespace ["id", start, end].
 * Returns 1, 0, or a negative error. */
int gb_in_namespace(const char *user_id, const char *namespace_json);

/* num_variations equal weights summing to 1, as a JSON array, e.g. [0.5,0.5];
 * [] when num_variations < 1. Returns a new string (free with gb_string_free)
 * or NULL on error. */
char *gb_get_equal_weights_json(int num_variations);

/* A forced variation from the URL's query string (?<id>=<index>). Returns 1
 * with *out set when the URL forces a valid index (0 <= index <
 * num_variations), 0 when it does not (*out untouched), or a negative error. */
int gb_get_query_string_override(const char *id, const char *url,
                                 int num_variations, int *out);

/* The version string as used by the $veq/$vgt/... operators for comparison:
 * each numeric part left-padded to 5 characters, "-" separated, "~" appended
 * when there is no pre-release, e.g. "1.2.3" -> "    1-    2-    3-~".
 * Returns a new string (free with gb_string_free) or NULL on error. */
char *gb_padded_version_string(const char *version);

#ifdef __cplusplus
}
#endif

#endif /* GROWTHBOOK_H */
