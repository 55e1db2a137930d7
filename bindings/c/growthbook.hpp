/*
 * growthbook.hpp -- a header-only C++17 wrapper of libgrowthbook's C API
 * (growthbook.h). Link with -lgrowthbook, as for C:
 *
 *   c++ -std=c++17 app.cpp $(pkg-config --cflags --libs growthbook)
 *
 *   growthbook::GrowthBook gb(R"({"features": {"flag": {"defaultValue": true}}})");
 *   gb.on_tracking([](const std::string &experiment, const std::string &result) { ... });
 *   growthbook::Attributes user(R"({"id": "123", "country": "US"})");
 *   if (gb.is_on("flag", user)) { ... }
 *   std::string result = gb.eval_feature("flag", user);   // FeatureResult JSON
 *
 * What the wrapper adds to the C API, and nothing else:
 *
 *  - Ownership. GrowthBook owns a gb_handle and Attributes a gb_attributes;
 *    both are move-only and free their C object in the destructor. Every
 *    string the library returns is copied into a std::string and released.
 *  - Errors. A failing call throws growthbook::Error, whose what() is the
 *    library's gb_last_error() sentence and code() its GB_ERR_* code.
 *  - Callbacks are std::function. Registrations made through the wrapper
 *    stay alive until the GrowthBook is destroyed (a callback replaced on one
 *    thread may still be running on another). An exception thrown by a
 *    callback cannot cross the C library: the wrapper catches it, reports a
 *    failure to the library where the C API has a way to (sticky get/save:
 *    failure; include: excluded; HTTP transport: failed request), and
 *    rethrows it from the wrapper method whose call ran the callback, after
 *    the library has returned (so that call's own effects, e.g. a
 *    registration or new attributes, have already happened). A callback running on one of the library's
 *    own threads (background refresh, streaming) has no such caller; its
 *    exception is dropped.
 *  - JSON stays JSON text (std::string in and out), in the shapes the C
 *    header documents, so the wrapper needs no JSON library; eval_value()
 *    gives a feature's value typed (Value) without any JSON.
 *
 * Threads: as in the C API, every member function may be called from many
 * threads at once on one GrowthBook, except that destroying (or moving from)
 * it must not race with other calls on it.
 */
#ifndef GROWTHBOOK_HPP
#define GROWTHBOOK_HPP

#include <growthbook.h>

#include <chrono>
#include <climits>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace growthbook {

/* A failed library call: what() is gb_last_error(), code() a GB_ERR_* value. */
class Error : public std::runtime_error {
public:
    Error(int code, const std::string &message) : std::runtime_error(message), code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;
};

/* The version of the loaded library (GB_VERSION is the header's). */
inline std::string version() { return gb_version(); }

namespace detail {

/* The calling thread's last library error, as an exception. */
[[noreturn]] inline void throw_last_error()
{
    int code = gb_last_error_code();
    std::string message = gb_last_error();
    if (code == GB_OK) code = GB_ERR_INTERNAL;
    if (message.empty()) message = "libgrowthbook call failed";
    throw Error(code, message);
}

/* Where a callback's exception waits for the wrapper call that ran it. One
 * per wrapper call in progress on this thread (nested for callbacks that call
 * back into the wrapper). */
inline std::exception_ptr *&pending_slot()
{
    thread_local std::exception_ptr *slot = nullptr;
    return slot;
}

class CallScope {
public:
    CallScope() : previous_(pending_slot()) { pending_slot() = &pending_; }
    ~CallScope() { pending_slot() = previous_; }
    CallScope(const CallScope &) = delete;
    CallScope &operator=(const CallScope &) = delete;
    void rethrow()
    {
        if (pending_) {
            std::exception_ptr e = pending_;
            pending_ = nullptr;
            std::rethrow_exception(e);
        }
    }

private:
    std::exception_ptr pending_;
    std::exception_ptr *previous_;
};

/* Called from a trampoline's catch block. */
inline void stash_current_exception()
{
    std::exception_ptr *slot = pending_slot();
    if (slot && !*slot) *slot = std::current_exception();
}

/* Runs a C call returning int: a negative result throws. */
template <class F> int check(F &&f)
{
    CallScope scope;
    int rc = f();
    if (rc < 0) {
        int code = gb_last_error_code();
        std::string message = gb_last_error();
        scope.rethrow();
        throw Error(code == GB_OK ? rc : code, message);
    }
    scope.rethrow();
    return rc;
}

/* Runs a C call returning a library-owned char*: copies and frees it; NULL
 * throws. */
template <class F> std::string text(F &&f)
{
    CallScope scope;
    char *p = f();
    if (!p) {
        int code = gb_last_error_code();
        std::string message = gb_last_error();
        scope.rethrow();
        throw Error(code == GB_OK ? GB_ERR_INTERNAL : code, message);
    }
    std::string out(p);
    gb_string_free(p);
    scope.rethrow();
    return out;
}

inline const char *c_str_or_null(const std::optional<std::string> &s) { return s ? s->c_str() : nullptr; }

} // namespace detail

/* Parsed, immutable attributes for the per-call evaluation functions: parse
 * once, evaluate many times. May be used by many threads and handles at once. */
class Attributes {
public:
    /* attributes_json: a JSON object. Throws Error (GB_ERR_JSON, GB_ERR_TYPE, ...). */
    explicit Attributes(const std::string &attributes_json) : attrs_(gb_attributes_create(attributes_json.c_str()))
    {
        if (!attrs_) detail::throw_last_error();
    }
    ~Attributes() { gb_attributes_free(attrs_); }
    Attributes(Attributes &&other) noexcept : attrs_(std::exchange(other.attrs_, nullptr)) {}
    Attributes &operator=(Attributes &&other) noexcept
    {
        if (this != &other) {
            gb_attributes_free(attrs_);
            attrs_ = std::exchange(other.attrs_, nullptr);
        }
        return *this;
    }
    Attributes(const Attributes &) = delete;
    Attributes &operator=(const Attributes &) = delete;

    /* The C object (still owned by this Attributes). */
    const gb_attributes *get() const noexcept { return attrs_; }

private:
    friend class AttributesBuilder;
    explicit Attributes(gb_attributes *made) noexcept : attrs_(made) {}
    gb_attributes *attrs_;
};

/* Attributes from typed values, without JSON text (gb_attributes_builder): the
 * top-level object is open from the start; give key, value, key, value... and
 * finish(). Each call throws Error when it does not fit where it comes (and
 * changes nothing). One thread at a time; reusable after finish().
 *
 *   gb::AttributesBuilder b;
 *   b.key("id").string("user-1").key("tags").begin_array().string("beta").end_array();
 *   gb::Attributes a = b.finish();
 */
class AttributesBuilder {
public:
    AttributesBuilder() : b_(gb_attributes_builder_create())
    {
        if (!b_) throw std::bad_alloc();
    }
    ~AttributesBuilder() { gb_attributes_builder_free(b_); }
    AttributesBuilder(const AttributesBuilder &) = delete;
    AttributesBuilder &operator=(const AttributesBuilder &) = delete;

    AttributesBuilder &key(std::string_view k) { return done(gb_attributes_builder_key(b_, k.data(), k.size())); }
    AttributesBuilder &string(std::string_view s) { return done(gb_attributes_builder_string(b_, s.data(), s.size())); }
    AttributesBuilder &integer(int64_t v) { return done(gb_attributes_builder_int(b_, v)); }
    AttributesBuilder &number(double v) { return done(gb_attributes_builder_double(b_, v)); }
    AttributesBuilder &boolean(bool v) { return done(gb_attributes_builder_bool(b_, v ? 1 : 0)); }
    AttributesBuilder &null() { return done(gb_attributes_builder_null(b_)); }
    /* an integer beyond 64 bits, as its decimal literal */
    AttributesBuilder &integer_literal(std::string_view digits)
    {
        return done(gb_attributes_builder_integer_literal(b_, digits.data(), digits.size()));
    }
    AttributesBuilder &begin_array() { return done(gb_attributes_builder_begin_array(b_)); }
    AttributesBuilder &end_array() { return done(gb_attributes_builder_end_array(b_)); }
    AttributesBuilder &begin_object() { return done(gb_attributes_builder_begin_object(b_)); }
    AttributesBuilder &end_object() { return done(gb_attributes_builder_end_object(b_)); }

    /* The attributes built; the builder is empty again. */
    Attributes finish()
    {
        gb_attributes *a = gb_attributes_builder_finish(b_);
        if (!a) detail::throw_last_error();
        return Attributes(a);
    }

private:
    AttributesBuilder &done(int rc)
    {
        if (rc != GB_OK) detail::throw_last_error();
        return *this;
    }
    gb_attributes_builder *b_;
};

/* A feature's value, typed (the C API's typed evaluation, gb_value): scalars
 * without JSON, text only where the value is text. */
struct Value {
    int type = GB_VALUE_NULL;                 /* GB_VALUE_* */
    int source = GB_SOURCE_UNKNOWN_FEATURE;   /* GB_SOURCE_* */
    bool on = false;                          /* the value is truthy */
    int variation_id = -1;                    /* source GB_SOURCE_EXPERIMENT: the variation */
    long long integer = 0;                    /* GB_VALUE_INT */
    double number = 0;                        /* GB_VALUE_DOUBLE */
    std::string text;                         /* GB_VALUE_STRING: the string (not quoted);
                                                 GB_VALUE_ARRAY, GB_VALUE_OBJECT: its JSON */
    std::string rule_id;                      /* the deciding rule's id ("" if none) */
    std::string result_json;                  /* eval_result() of an experiment value: the
                                                 whole FeatureResult JSON; else "" */

    bool is_null() const noexcept { return type == GB_VALUE_NULL; }
    bool is_bool() const noexcept { return type == GB_VALUE_TRUE || type == GB_VALUE_FALSE; }
    bool is_number() const noexcept { return type == GB_VALUE_INT || type == GB_VALUE_DOUBLE; }
    bool is_string() const noexcept { return type == GB_VALUE_STRING; }
    /* GB_VALUE_INT or GB_VALUE_DOUBLE as a double (0 otherwise). */
    double as_double() const noexcept
    {
        return type == GB_VALUE_INT ? static_cast<double>(integer) : type == GB_VALUE_DOUBLE ? number : 0;
    }
};

/* Where typed evaluations write (gb_eval_buffer): reused call after call; one
 * thread at a time. GrowthBook::eval_value keeps one per thread, so most code
 * never needs its own. */
class EvalBuffer {
public:
    EvalBuffer() : buffer_(gb_eval_buffer_create())
    {
        if (!buffer_) throw std::bad_alloc();
    }
    ~EvalBuffer() { gb_eval_buffer_free(buffer_); }
    EvalBuffer(EvalBuffer &&other) noexcept : buffer_(std::exchange(other.buffer_, nullptr)) {}
    EvalBuffer &operator=(EvalBuffer &&other) noexcept
    {
        if (this != &other) {
            gb_eval_buffer_free(buffer_);
            buffer_ = std::exchange(other.buffer_, nullptr);
        }
        return *this;
    }
    EvalBuffer(const EvalBuffer &) = delete;
    EvalBuffer &operator=(const EvalBuffer &) = delete;

    gb_eval_buffer *get() const noexcept { return buffer_; }

    /* The last evaluation into this buffer, copied out. */
    Value value() const
    {
        Value out;
        const gb_value *v = gb_eval_buffer_value(buffer_);
        if (!v) return out;
        out.type = v->type;
        out.source = v->source;
        out.on = v->on != 0;
        out.variation_id = v->variation_id;
        out.integer = v->integer;
        out.number = v->number;
        if (v->text) {
            /* value text, NUL, rule id, NUL, FeatureResult JSON, NUL */
            out.text.assign(v->text, v->length);
            out.rule_id.assign(v->text + v->length + 1, v->rule_id_length);
            if (v->result_length)
                out.result_json.assign(v->text + v->length + 1 + v->rule_id_length + 1, v->result_length);
        }
        return out;
    }

private:
    gb_eval_buffer *buffer_;
};

namespace detail {
inline EvalBuffer &thread_eval_buffer()
{
    thread_local EvalBuffer buffer;
    return buffer;
}
} // namespace detail

/* Callback types. Strings are copies the callback may keep. */
using TrackingCallback = std::function<void(const std::string &experiment_json, const std::string &result_json)>;
using SubscriptionCallback = TrackingCallback;
using LogCallback = std::function<void(int level, const std::string &message)>;
/* Return the assignment doc JSON for (attribute_name, attribute_value), or
 * std::nullopt when there is none. */
using StickyGetCallback =
    std::function<std::optional<std::string>(const std::string &attribute_name, const std::string &attribute_value)>;
/* Store a whole assignment doc (JSON). */
using StickySaveCallback = std::function<void(const std::string &doc_json)>;
/* Whether a user may enter the experiment with this key. */
using IncludeCallback = std::function<bool(const std::string &experiment_key)>;

/* One evaluator: features, saved groups, default attributes, options and
 * callbacks. Owns a gb_handle. */
class GrowthBook {
public:
    /* A handle with default options. */
    GrowthBook() : GrowthBook(Create{}, nullptr) {}

    /* options_json: the options object of gb_create (attributes, features,
     * savedGroups, forcedVariations, qaMode, enabled, url, stickyBucketing,
     * apiHost, clientKey, decryptionKey, ...). Throws Error. */
    explicit GrowthBook(const std::string &options_json) : GrowthBook(Create{}, options_json.c_str()) {}

    ~GrowthBook() { gb_free(gb_); }

    GrowthBook(GrowthBook &&other) noexcept
        : gb_(std::exchange(other.gb_, nullptr)), callbacks_(std::move(other.callbacks_))
    {
    }
    GrowthBook &operator=(GrowthBook &&other) noexcept
    {
        if (this != &other) {
            gb_free(gb_);
            gb_ = std::exchange(other.gb_, nullptr);
            callbacks_ = std::move(other.callbacks_);
        }
        return *this;
    }
    GrowthBook(const GrowthBook &) = delete;
    GrowthBook &operator=(const GrowthBook &) = delete;

    /* The C handle, for calls the wrapper does not cover. Still owned here. */
    gb_handle *handle() const noexcept { return gb_; }

    /* --- state: each replaces one part atomically; throws Error ------------- */

    void set_features(const std::string &features_json)
    {
        detail::check([&] { return gb_set_features_json(gb_, features_json.c_str()); });
    }
    /* Shares source's compiled features (no parsing, O(1); gb_set_features_from). */
    void set_features_from(const GrowthBook &source)
    {
        detail::check([&] { return gb_set_features_from(gb_, source.gb_); });
    }
    void set_saved_groups(const std::string &saved_groups_json)
    {
        detail::check([&] { return gb_set_saved_groups_json(gb_, saved_groups_json.c_str()); });
    }
    void set_attributes(const std::string &attributes_json)
    {
        detail::check([&] { return gb_set_attributes_json(gb_, attributes_json.c_str()); });
    }
    /* Attributes made already (shared with the handle, not copied). */
    void set_attributes(const Attributes &attributes)
    {
        detail::check([&] { return gb_set_attributes(gb_, attributes.get()); });
    }
    void set_forced_variations(const std::string &forced_json)
    {
        detail::check([&] { return gb_set_forced_variations_json(gb_, forced_json.c_str()); });
    }
    void set_overrides(const std::string &overrides_json)
    {
        detail::check([&] { return gb_set_overrides_json(gb_, overrides_json.c_str()); });
    }
    void set_url(const std::string &url)
    {
        detail::check([&] { return gb_set_url(gb_, url.c_str()); });
    }
    void set_qa_mode(bool on)
    {
        detail::check([&] { return gb_set_qa_mode(gb_, on ? 1 : 0); });
    }
    void set_enabled(bool on)
    {
        detail::check([&] { return gb_set_enabled(gb_, on ? 1 : 0); });
    }
    std::string attributes() const
    {
        return detail::text([&] { return gb_get_attributes_json(gb_); });
    }
    std::string features() const
    {
        return detail::text([&] { return gb_get_features_json(gb_); });
    }

    /* --- evaluation with the handle's attributes ------------------------------ */

    bool is_on(const std::string &key)
    {
        return detail::check([&] { return gb_is_on(gb_, key.c_str()); }) == 1;
    }
    bool is_off(const std::string &key)
    {
        return detail::check([&] { return gb_is_off(gb_, key.c_str()); }) == 1;
    }
    /* The FeatureResult JSON ({"value", "source", "on", "off", "ruleId", ...}). */
    std::string eval_feature(const std::string &key)
    {
        return detail::text([&] { return gb_eval_feature_json(gb_, key.c_str()); });
    }
    /* Just the value, as JSON text ("null" for an unknown feature). */
    std::string feature_value(const std::string &key)
    {
        return detail::text([&] { return gb_get_feature_value_json(gb_, key.c_str()); });
    }
    /* Run an inline experiment; returns the Result JSON. */
    std::string run_experiment(const std::string &experiment_json)
    {
        return detail::text([&] { return gb_run_experiment_json(gb_, experiment_json.c_str()); });
    }
    /* Run an inline experiment with an include callback (called at most once,
     * on this thread; false or an exception excludes the user). */
    std::string run_experiment(const std::string &experiment_json, const IncludeCallback &include)
    {
        if (!include) return run_experiment(experiment_json);
        return detail::text([&] {
            return gb_run_experiment_with_include_json(gb_, experiment_json.c_str(), &include_trampoline,
                                                       const_cast<IncludeCallback *>(&include));
        });
    }
    /* {"exp-key": {"experiment": {...}, "result": {...}}, ...} */
    std::string all_results() const
    {
        return detail::text([&] { return gb_get_all_results_json(gb_); });
    }

    /* --- evaluation with per-call attributes (the handle's never change) ------ */

    bool is_on(const std::string &key, const Attributes &attributes)
    {
        return detail::check([&] { return gb_is_on_with(gb_, key.c_str(), attributes.get()); }) == 1;
    }
    std::string eval_feature(const std::string &key, const Attributes &attributes)
    {
        return detail::text([&] { return gb_eval_feature_with(gb_, key.c_str(), attributes.get()); });
    }
    /* attributes_json is parsed for this call only. */
    std::string eval_feature(const std::string &key, const std::string &attributes_json)
    {
        return detail::text(
            [&] { return gb_eval_feature_with_attributes_json(gb_, key.c_str(), attributes_json.c_str()); });
    }

    /* --- typed evaluation: the value without parsing JSON ---------------------- */

    /* The feature's value for the handle's attributes (gb_eval_value). */
    Value eval_value(const std::string &key) { return typed(key, nullptr, 0); }
    /* ... for the given attributes (gb_eval_with). */
    Value eval_value(const std::string &key, const Attributes &attributes)
    {
        return typed(key, attributes.get(), 0);
    }
    /* As eval_value, plus result_json (the whole FeatureResult) when the value
     * came from an experiment (gb_eval_result). */
    Value eval_result(const std::string &key) { return typed(key, nullptr, 1); }
    Value eval_result(const std::string &key, const Attributes &attributes)
    {
        return typed(key, attributes.get(), 1);
    }
    /* Into a buffer of your own (e.g. to read the gb_value in place). */
    void eval_into(EvalBuffer &buffer, const std::string &key, const Attributes *attributes = nullptr,
                   bool with_result = false)
    {
        detail::check([&] {
            return gb_eval_with(gb_, key.c_str(), attributes ? attributes->get() : nullptr, with_result ? 1 : 0,
                                buffer.get());
        });
    }

    /* --- callbacks -------------------------------------------------------------- */

    /* Called once per (hashAttribute, hashValue, experiment, variation) when a
     * user is put in an experiment. An empty function removes it. */
    void on_tracking(TrackingCallback fn)
    {
        if (!fn) {
            detail::check([&] { return gb_set_tracking_callback(gb_, nullptr, nullptr); });
            return;
        }
        auto *held = keep(std::make_shared<TrackingCallback>(std::move(fn)));
        detail::check([&] { return gb_set_tracking_callback(gb_, &experiment_trampoline, held); });
    }

    /* Called when an experiment's assignment changes. Returns the id for
     * unsubscribe(). */
    int subscribe(SubscriptionCallback fn)
    {
        if (!fn) throw Error(GB_ERR_INVALID_ARGUMENT, "subscribe: empty callback");
        auto *held = keep(std::make_shared<SubscriptionCallback>(std::move(fn)));
        return detail::check([&] { return gb_subscribe(gb_, &experiment_trampoline, held); });
    }
    /* Throws Error with GB_ERR_NOT_FOUND for an unknown id. */
    void unsubscribe(int subscription_id)
    {
        detail::check([&] { return gb_unsubscribe(gb_, subscription_id); });
    }

    /* Log messages at min_level (GB_LOG_*) and above. An empty function removes it. */
    void on_log(LogCallback fn, int min_level = GB_LOG_DEBUG)
    {
        if (!fn) {
            detail::check([&] { return gb_set_log_callback(gb_, nullptr, min_level, nullptr); });
            return;
        }
        auto *held = keep(std::make_shared<LogCallback>(std::move(fn)));
        detail::check([&] { return gb_set_log_callback(gb_, &log_trampoline, min_level, held); });
    }

    /* --- sticky bucketing --------------------------------------------------------- */

    /* A host sticky bucket service (a cookie, Redis, a database, ...). */
    void set_sticky_bucket_service(StickyGetCallback get, StickySaveCallback save)
    {
        if (!get || !save) throw Error(GB_ERR_INVALID_ARGUMENT, "set_sticky_bucket_service: empty callback");
        auto *held = keep(std::make_shared<StickyService>(StickyService{std::move(get), std::move(save)}));
        detail::check([&] { return gb_set_sticky_bucket_service(gb_, &sticky_get_trampoline, &sticky_save_trampoline, held); });
    }
    /* Removes the service (and the handle's cached docs). */
    void remove_sticky_bucket_service()
    {
        detail::check([&] { return gb_set_sticky_bucket_service(gb_, nullptr, nullptr, nullptr); });
    }
    void use_in_memory_sticky_bucket_service()
    {
        detail::check([&] { return gb_use_in_memory_sticky_bucket_service(gb_); });
    }
    /* {"attr||value": doc, ...} */
    std::string sticky_bucket_docs() const
    {
        return detail::text([&] { return gb_get_sticky_bucket_docs_json(gb_); });
    }
    void refresh_sticky_buckets(bool force = false)
    {
        detail::check([&] { return gb_refresh_sticky_buckets(gb_, force ? 1 : 0); });
    }

    /* --- remote features ------------------------------------------------------------ */

    /* Loads features for the options' apiHost and clientKey (see the C header).
     * Throws Error (GB_ERR_NETWORK, GB_ERR_HTTP, GB_ERR_JSON, GB_ERR_DECRYPT,
     * GB_ERR_INVALID_ARGUMENT without a clientKey); the features are then
     * unchanged. */
    void load_features()
    {
        detail::check([&] { return gb_load_features(gb_); });
    }

private:
    struct StickyService {
        StickyGetCallback get;
        StickySaveCallback save;
    };

    /* Registrations live as long as the handle. */
    struct Callbacks {
        std::mutex mutex;
        std::vector<std::shared_ptr<void>> held;
    };

    struct Create {};
    GrowthBook(Create, const char *options_json)
        : gb_(gb_create(options_json)), callbacks_(std::make_unique<Callbacks>())
    {
        if (!gb_) detail::throw_last_error();
    }

    Value typed(const std::string &key, const gb_attributes *attributes, int with_result)
    {
        /* The thread's buffer, unless a callback of an evaluation into it is
         * evaluating again (then a buffer of its own). */
        thread_local bool busy = false;
        if (busy) {
            EvalBuffer own;
            detail::check([&] { return gb_eval_with(gb_, key.c_str(), attributes, with_result, own.get()); });
            return own.value();
        }
        struct Busy {
            Busy() { busy = true; }
            ~Busy() { busy = false; }
        } mark;
        EvalBuffer &buffer = detail::thread_eval_buffer();
        detail::check([&] { return gb_eval_with(gb_, key.c_str(), attributes, with_result, buffer.get()); });
        return buffer.value();
    }

    template <class T> T *keep(std::shared_ptr<T> p)
    {
        if (!callbacks_) throw Error(GB_ERR_INVALID_ARGUMENT, "this GrowthBook was moved from");
        std::lock_guard<std::mutex> lock(callbacks_->mutex);
        callbacks_->held.push_back(p);
        return p.get();
    }

    static void experiment_trampoline(const char *experiment_json, const char *result_json, void *user_data)
    {
        try {
            (*static_cast<TrackingCallback *>(user_data))(experiment_json, result_json);
        } catch (...) {
            detail::stash_current_exception();
        }
    }

    static void log_trampoline(int level, const char *message, void *user_data)
    {
        try {
            (*static_cast<LogCallback *>(user_data))(level, message);
        } catch (...) {
            detail::stash_current_exception();
        }
    }

    static int sticky_get_trampoline(const char *name, const char *value, gb_buffer *doc_out, void *user_data)
    {
        try {
            std::optional<std::string> doc = static_cast<StickyService *>(user_data)->get(name, value);
            if (doc && gb_buffer_set(doc_out, doc->c_str()) != GB_OK) return 1;
            return 0;
        } catch (...) {
            detail::stash_current_exception();
            return 1;
        }
    }

    static int sticky_save_trampoline(const char *doc_json, void *user_data)
    {
        try {
            static_cast<StickyService *>(user_data)->save(doc_json);
            return 0;
        } catch (...) {
            detail::stash_current_exception();
            return 1;
        }
    }

    static int include_trampoline(const char *experiment_key, void *user_data)
    {
        try {
            return (*static_cast<IncludeCallback *>(user_data))(experiment_key) ? 1 : 0;
        } catch (...) {
            detail::stash_current_exception();
            return GB_ERR_CALLBACK;
        }
    }

    gb_handle *gb_;
    std::unique_ptr<Callbacks> callbacks_;
};

/* --- remote loading: process-wide ---------------------------------------------------- */

/* Decrypt an encrypted GrowthBook payload with a base64 key. Throws Error
 * (GB_ERR_DECRYPT, ...). */
inline std::string decrypt(const std::string &encrypted, const std::string &key)
{
    return detail::text([&] { return gb_decrypt(encrypted.c_str(), key.c_str()); });
}

/* Drop every cached payload. */
inline void clear_cache() { gb_clear_cache(); }

/* Stop the library's background work (every stream and refresher) and wait up to timeout
 * for its threads (gb_shutdown): true once none runs, false when some are still inside a
 * host callback at the timeout. Throws Error (GB_ERR_INVALID_ARGUMENT) for a negative
 * timeout. Handles keep their features; load_features starts their background work again. */
inline bool shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(5))
{
    auto ms = timeout.count();
    int rc = gb_shutdown(ms < 0 ? -1 : ms > INT_MAX ? INT_MAX : static_cast<int>(ms));
    if (rc == GB_ERR_BUSY) return false;
    if (rc != GB_OK) detail::throw_last_error();
    return true;
}

/* A response filled in by a host HTTP transport. */
struct HttpResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

/* Performs a GET: fill in response and return true, or return false (or
 * throw) when the request failed. request_headers_json: {"name": "value"}. */
using HttpTransport =
    std::function<bool(const std::string &url, const std::string &request_headers_json, HttpResponse &response)>;

namespace detail {

struct TransportHolder {
    std::mutex mutex;
    std::shared_ptr<HttpTransport> fn;
};

inline TransportHolder &transport_holder()
{
    static TransportHolder *holder = new TransportHolder; /* never destroyed: requests may outlive main */
    return *holder;
}

inline int http_trampoline(const char *url, const char *headers_json, gb_http_response *out, void *user_data)
{
    auto *holder = static_cast<TransportHolder *>(user_data);
    std::shared_ptr<HttpTransport> fn;
    {
        std::lock_guard<std::mutex> lock(holder->mutex);
        fn = holder->fn;
    }
    if (!fn) return 1;
    try {
        HttpResponse response;
        if (!(*fn)(url, headers_json, response)) return 1;
        if (gb_http_response_set_status(out, response.status) != GB_OK) return 1;
        for (const auto &h : response.headers)
            if (gb_http_response_set_header(out, h.first.c_str(), h.second.c_str()) != GB_OK) return 1;
        return gb_http_response_set_body(out, response.body.data(), response.body.size()) == GB_OK ? 0 : 1;
    } catch (...) {
        stash_current_exception();
        return 1;
    }
}

} // namespace detail

/* Route every HTTP request of the library (in this process) through fn; an
 * empty fn restores libcurl. */
inline void set_http_transport(HttpTransport fn)
{
    auto &holder = detail::transport_holder();
    if (!fn) {
        gb_set_http_transport(nullptr, nullptr);
        std::lock_guard<std::mutex> lock(holder.mutex);
        holder.fn.reset();
        return;
    }
    {
        std::lock_guard<std::mutex> lock(holder.mutex);
        holder.fn = std::make_shared<HttpTransport>(std::move(fn));
    }
    detail::check([&] { return gb_set_http_transport(&detail::http_trampoline, &holder); });
}

/* --- spec helpers: pure functions -------------------------------------------------------- */

/* Does the condition match the attributes? saved_groups_json: optional. */
inline bool eval_condition(const std::string &condition_json, const std::string &attributes_json,
                           const std::optional<std::string> &saved_groups_json = std::nullopt)
{
    return detail::check([&] {
               return gb_eval_condition_json(condition_json.c_str(), attributes_json.c_str(),
                                             detail::c_str_or_null(saved_groups_json));
           }) == 1;
}

/* GrowthBook's hash in [0, 1); std::nullopt for an unsupported version. */
inline std::optional<double> hash(const std::string &seed, const std::string &value, int version)
{
    double out = 0;
    int rc = detail::check([&] { return gb_hash(seed.c_str(), value.c_str(), version, &out); });
    return rc == 1 ? std::optional<double>(out) : std::nullopt;
}

/* [[start, end], ...] for num_variations at coverage; weights_json optional. */
inline std::string bucket_ranges(int num_variations, double coverage,
                                 const std::optional<std::string> &weights_json = std::nullopt)
{
    return detail::text(
        [&] { return gb_get_bucket_ranges_json(num_variations, coverage, detail::c_str_or_null(weights_json)); });
}

/* The index of the range containing n, or -1. */
inline int choose_variation(double n, const std::string &ranges_json)
{
    int out = -1;
    detail::check([&] { return gb_choose_variation(n, ranges_json.c_str(), &out); });
    return out;
}

/* Whether user_id is in the namespace ["id", start, end]. */
inline bool in_namespace(const std::string &user_id, const std::string &namespace_json)
{
    return detail::check([&] { return gb_in_namespace(user_id.c_str(), namespace_json.c_str()); }) == 1;
}

/* [1/n, ...] as a JSON array. */
inline std::string equal_weights(int num_variations)
{
    return detail::text([&] { return gb_get_equal_weights_json(num_variations); });
}

/* The variation forced by ?<id>=<index> in url, if any. */
inline std::optional<int> query_string_override(const std::string &id, const std::string &url, int num_variations)
{
    int out = -1;
    int rc = detail::check([&] { return gb_get_query_string_override(id.c_str(), url.c_str(), num_variations, &out); });
    return rc == 1 ? std::optional<int>(out) : std::nullopt;
}

/* The comparable form of a version string ("1.2.3" -> "    1-    2-    3-~"). */
inline std::string padded_version_string(const std::string &version)
{
    return detail::text([&] { return gb_padded_version_string(version.c_str()); });
}

} // namespace growthbook

#endif /* GROWTHBOOK_HPP */
