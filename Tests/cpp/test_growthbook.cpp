// test_growthbook.cpp -- the C++17 wrapper (bindings/c/growthbook.hpp) over the
// whole C API: lifecycle and moves, state, evaluation, per-call Attributes,
// errors as exceptions with the library's message, std::function callbacks
// (tracking, subscriptions, log, sticky bucket service, include, HTTP
// transport) including exceptions thrown by callbacks, remote loading, and
// the spec helpers.
//
// Prints failing checks on stderr and "N passed, N failed" on stdout; exits
// nonzero if any check failed.
#include <growthbook.hpp>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace gbx = growthbook;

static int passed, failed;

static void check_(bool ok, const char *what, const char *file, int line, const std::string &detail = "")
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    std::fprintf(stderr, "%s:%d: FAIL: %s%s%s\n", file, line, what, detail.empty() ? "" : ": ", detail.c_str());
}

#define CHECK(cond) check_((cond), #cond, __FILE__, __LINE__)
#define CHECK_D(cond, detail) check_((cond), #cond, __FILE__, __LINE__, (detail))

// expr throws growthbook::Error with this code and a non-empty message.
#define CHECK_THROWS_CODE(expr, want)                                                                       \
    do {                                                                                                    \
        int code_ = 0;                                                                                      \
        std::string msg_;                                                                                   \
        try {                                                                                               \
            (void)(expr);                                                                                   \
        } catch (const gbx::Error &e) {                                                                     \
            code_ = e.code();                                                                               \
            msg_ = e.what();                                                                                \
        }                                                                                                   \
        check_(code_ == (want) && !msg_.empty(), #expr " throws " #want, __FILE__, __LINE__,               \
               "code " + std::to_string(code_) + " message \"" + msg_ + "\"");                              \
    } while (0)

static bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

static std::string compact(const std::string &s)
{
    std::string out;
    bool in_str = false;
    for (size_t i = 0; i < s.size(); i++) {
        char c = s[i];
        if (in_str) {
            out += c;
            if (c == '\\' && i + 1 < s.size()) out += s[++i];
            else if (c == '"') in_str = false;
        } else if (c == '"') {
            in_str = true;
            out += c;
        } else if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
            out += c;
        }
    }
    return out;
}

// Does the compact JSON contain the compact fragment?
static bool has(const std::string &json, const std::string &fragment)
{
    return contains(compact(json), compact(fragment));
}

static const char *FEATURES = R"({
  "kill": {"defaultValue": true},
  "off-flag": {"defaultValue": false},
  "color": {"defaultValue": "blue"},
  "geo": {"defaultValue": false, "rules": [{"id": "geo-rule",
          "condition": {"country": {"$in": ["US", "CA"]}}, "force": true}]},
  "exp-flag": {"defaultValue": "ctl", "rules": [{"key": "exp1", "variations": ["a", "b"],
               "weights": [0.5, 0.5], "hashAttribute": "id", "meta": [{"key": "0"}, {"key": "1"}]}]}
})";

static void test_types()
{
    CHECK(!std::is_copy_constructible<gbx::GrowthBook>::value);
    CHECK(std::is_nothrow_move_constructible<gbx::GrowthBook>::value);
    CHECK(!std::is_copy_constructible<gbx::Attributes>::value);
    CHECK(std::is_nothrow_move_constructible<gbx::Attributes>::value);
    CHECK((std::is_base_of<std::runtime_error, gbx::Error>::value));
    CHECK(gbx::version() == GB_VERSION);
}

static void test_lifecycle()
{
    gbx::GrowthBook empty;
    CHECK(empty.handle() != nullptr);
    CHECK(!empty.is_on("anything"));
    CHECK(empty.is_off("anything"));
    CHECK(compact(empty.features()) == "{}");

    gbx::GrowthBook gb(std::string(R"({"attributes": {"id": "123", "country": "US"}, "features": )") + FEATURES + "}");
    CHECK(gb.is_on("geo"));

    // Bad options: the library's message and code, as an exception.
    try {
        gbx::GrowthBook bad("{\"features\": ");
        CHECK(false);
    } catch (const gbx::Error &e) {
        CHECK(e.code() == GB_ERR_JSON);
        CHECK_D(contains(e.what(), "offset"), e.what());
    }
    CHECK_THROWS_CODE(gbx::GrowthBook("[1, 2]"), GB_ERR_TYPE);
    CHECK_THROWS_CODE(gbx::GrowthBook("{\"attributes\": \"\xff\"}"), GB_ERR_UTF8);

    // Moves transfer the handle; the moved-from object fails cleanly.
    gbx::GrowthBook moved(std::move(gb));
    CHECK(moved.is_on("geo"));
    CHECK(gb.handle() == nullptr); // NOLINT(bugprone-use-after-move)
    CHECK_THROWS_CODE(gb.is_on("geo"), GB_ERR_INVALID_ARGUMENT);
    gbx::GrowthBook other;
    other = std::move(moved);
    CHECK(other.is_on("geo"));
    CHECK(moved.handle() == nullptr); // NOLINT(bugprone-use-after-move)
}

static void test_state()
{
    gbx::GrowthBook gb;
    gb.set_features(FEATURES);
    CHECK(has(gb.features(), R"("color":{"defaultValue":"blue"})"));
    gb.set_attributes(R"({"id": "u1", "country": "CA"})");
    CHECK(has(gb.attributes(), R"("country":"CA")"));
    CHECK(gb.is_on("geo"));

    // A failed setter throws with the library's message and changes nothing.
    CHECK_THROWS_CODE(gb.set_features("{\"a\": }"), GB_ERR_JSON);
    CHECK_THROWS_CODE(gb.set_features("[]"), GB_ERR_TYPE);
    CHECK_THROWS_CODE(gb.set_attributes("\"US\""), GB_ERR_TYPE);
    CHECK_THROWS_CODE(gb.set_saved_groups("{"), GB_ERR_JSON);
    CHECK_THROWS_CODE(gb.set_forced_variations("1"), GB_ERR_TYPE);
    CHECK(gb.feature_value("color") == "\"blue\"");
    CHECK(has(gb.attributes(), R"("country":"CA")"));

    gb.set_saved_groups(R"({"beta": ["u1"]})");
    gb.set_features(R"({"beta": {"defaultValue": false, "rules": [{"condition": {"id": {"$inGroup": "beta"}}, "force": true}]}})");
    CHECK(gb.is_on("beta"));
    gb.set_attributes(R"({"id": "u2"})");
    CHECK(!gb.is_on("beta"));

    gb.set_features(FEATURES);
    gb.set_forced_variations(R"({"exp1": 1})");
    CHECK(gb.feature_value("exp-flag") == "\"b\"");
    gb.set_forced_variations("{}");

    gb.set_url("https://example.com/?exp1=0");
    gb.set_url("");
    gb.set_qa_mode(true);
    CHECK(gb.feature_value("exp-flag") == "\"ctl\"" || gb.feature_value("exp-flag") == "\"a\"");
    CHECK(has(gb.eval_feature("exp-flag"), R"("source":"defaultValue")"));
    gb.set_qa_mode(false);
    gb.set_enabled(false);
    CHECK(has(gb.eval_feature("exp-flag"), R"("source":"defaultValue")"));
    gb.set_enabled(true);
    CHECK(has(gb.eval_feature("exp-flag"), R"("source":"experiment")"));

    // One compiled feature set shared by a handle per user.
    gbx::GrowthBook user(R"({"attributes": {"id": "u9", "country": "CA"}})");
    CHECK(!user.is_on("geo"));
    user.set_features_from(gb);
    CHECK(user.is_on("geo"));
    CHECK(user.feature_value("color") == "\"blue\"");
    gbx::GrowthBook python(R"({"semantics": ")" GB_SEMANTICS_PYTHON_1_1_0 R"("})");
    CHECK_THROWS_CODE(python.set_features_from(gb), GB_ERR_INVALID_ARGUMENT);
}

static void test_evaluation()
{
    gbx::GrowthBook gb(std::string(R"({"attributes": {"id": "123", "country": "US"}, "features": )") + FEATURES + "}");
    CHECK(gb.is_on("kill"));
    CHECK(gb.is_off("off-flag"));
    CHECK(!gb.is_on("unknown"));
    std::string r = gb.eval_feature("geo");
    CHECK_D(has(r, R"("value":true)") && has(r, R"("source":"force")") && has(r, R"("ruleId":"geo-rule")"), r);
    CHECK(has(gb.eval_feature("nope"), R"("source":"unknownFeature")"));
    CHECK(gb.feature_value("color") == "\"blue\"");
    CHECK(gb.feature_value("nope") == "null");
    CHECK_THROWS_CODE(gb.eval_feature(std::string("bad\xff")), GB_ERR_UTF8);

    std::string res = gb.run_experiment(R"({"key": "inline", "variations": [10, 20]})");
    CHECK_D(has(res, R"("inExperiment":true)") && has(res, R"("featureId":null)"), res);
    CHECK_THROWS_CODE(gb.run_experiment("{\"key\": "), GB_ERR_JSON);
    std::string all = gb.all_results();
    CHECK_D(has(all, R"("inline":{"experiment":)"), all);
}

static void test_typed()
{
    gbx::GrowthBook gb(R"({"attributes": {"id": "123", "country": "US"}, "features": {
        "b": {"defaultValue": true}, "n": {"defaultValue": null}, "i": {"defaultValue": 42},
        "d": {"defaultValue": 2.5}, "s": {"defaultValue": "h\u00e9llo"}, "a": {"defaultValue": [1, "x"]},
        "o": {"defaultValue": {"k": null}},
        "r": {"defaultValue": 0, "rules": [{"id": "rule-7", "condition": {"country": "US"}, "force": 7}]},
        "e": {"defaultValue": "ctl", "rules": [{"key": "exp1", "variations": ["a", "b"]}]}}})");
    gbx::Value v = gb.eval_value("b");
    CHECK(v.type == GB_VALUE_TRUE && v.on && v.is_bool() && v.source == GB_SOURCE_DEFAULT_VALUE);
    CHECK(gb.eval_value("n").is_null());
    v = gb.eval_value("i");
    CHECK(v.type == GB_VALUE_INT && v.integer == 42 && v.as_double() == 42);
    v = gb.eval_value("d");
    CHECK(v.type == GB_VALUE_DOUBLE && v.number == 2.5 && v.is_number());
    v = gb.eval_value("s");
    CHECK(v.is_string() && v.text == "h\xc3\xa9llo");
    CHECK(gb.eval_value("a").type == GB_VALUE_ARRAY && compact(gb.eval_value("a").text) == R"([1,"x"])");
    CHECK(gb.eval_value("o").type == GB_VALUE_OBJECT && compact(gb.eval_value("o").text) == R"({"k":null})");
    v = gb.eval_value("r");
    CHECK(v.integer == 7 && v.rule_id == "rule-7" && v.source == GB_SOURCE_FORCE && v.result_json.empty());
    v = gb.eval_value("r", gbx::Attributes(R"({"country": "FR"})"));
    CHECK(v.integer == 0 && v.rule_id.empty() && !v.on);
    v = gb.eval_value("missing");
    CHECK(v.is_null() && v.source == GB_SOURCE_UNKNOWN_FEATURE);
    v = gb.eval_value("e");
    CHECK(v.source == GB_SOURCE_EXPERIMENT && v.variation_id >= 0 && v.result_json.empty());
    v = gb.eval_result("e");
    CHECK_D(v.source == GB_SOURCE_EXPERIMENT && has(v.result_json, R"("experimentResult":)"), v.result_json);
    v = gb.eval_result("e", gbx::Attributes(R"({"id": "456"})"));
    CHECK(has(v.result_json, R"("hashValue":"456")"));
    CHECK_THROWS_CODE(gb.eval_value(std::string("\xff")), GB_ERR_UTF8);

    // A callback evaluating during an evaluation does not disturb the outer result.
    std::string inner;
    gb.on_tracking([&](const std::string &, const std::string &) { inner = gb.eval_value("s").text; });
    v = gb.eval_value("e", gbx::Attributes(R"({"id": "reentrant"})"));
    CHECK(inner == "h\xc3\xa9llo" && v.source == GB_SOURCE_EXPERIMENT && (v.text == "a" || v.text == "b"));
    gb.on_tracking(nullptr);

    // An explicit buffer.
    gbx::EvalBuffer buffer;
    gb.eval_into(buffer, "i");
    CHECK(buffer.value().integer == 42);
    gbx::Attributes fr(R"({"country": "FR"})");
    gb.eval_into(buffer, "r", &fr);
    CHECK(buffer.value().integer == 0);
}

static void test_per_call_attributes()
{
    gbx::GrowthBook gb(std::string(R"({"attributes": {"id": "handle", "country": "FR"}, "features": )") + FEATURES + "}");
    gbx::Attributes us(R"({"id": "u-us", "country": "US"})");
    gbx::Attributes de(R"({"id": "u-de", "country": "DE"})");
    CHECK(us.get() != nullptr);
    CHECK(gb.is_on("geo", us));
    CHECK(!gb.is_on("geo", de));
    CHECK(!gb.is_on("geo")); // the handle's own attributes are untouched
    CHECK(has(gb.eval_feature("geo", us), R"("ruleId":"geo-rule")"));
    CHECK(has(gb.eval_feature("geo", std::string(R"({"country": "CA"})")), R"("value":true)"));
    CHECK(has(gb.attributes(), R"("id":"handle")"));

    gbx::Attributes moved(std::move(us));
    CHECK(moved.get() != nullptr && us.get() == nullptr); // NOLINT(bugprone-use-after-move)
    CHECK(gb.is_on("geo", moved));
    de = std::move(moved);
    CHECK(gb.is_on("geo", de));

    CHECK_THROWS_CODE(gbx::Attributes("{"), GB_ERR_JSON);
    CHECK_THROWS_CODE(gbx::Attributes("[]"), GB_ERR_TYPE);
    CHECK_THROWS_CODE(gb.eval_feature("geo", std::string("[]")), GB_ERR_TYPE);

    // One Attributes shared by threads.
    gbx::Attributes shared(R"({"id": "t", "country": "CA"})");
    std::atomic<int> ons{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++)
        threads.emplace_back([&] {
            for (int i = 0; i < 500; i++)
                if (gb.is_on("geo", shared)) ons++;
        });
    for (auto &t : threads) t.join();
    CHECK(ons == 2000);
}

static void test_tracking_and_subscriptions()
{
    gbx::GrowthBook gb(std::string(R"({"attributes": {"id": "123"}, "features": )") + FEATURES + "}");
    std::vector<std::pair<std::string, std::string>> tracked;
    gb.on_tracking([&](const std::string &e, const std::string &r) { tracked.emplace_back(e, r); });
    gb.eval_feature("exp-flag");
    gb.eval_feature("exp-flag"); // once per assignment
    CHECK(tracked.size() == 1);
    if (!tracked.empty()) {
        CHECK_D(has(tracked[0].first, R"("key":"exp1")"), tracked[0].first);
        CHECK_D(has(tracked[0].second, R"("hashValue":"123")"), tracked[0].second);
    }
    // Per-call attributes track their own user.
    gbx::Attributes other(R"({"id": "456"})");
    gb.eval_feature("exp-flag", other);
    CHECK(tracked.size() == 2);

    // A callback that calls back into the wrapper (no lock is held).
    std::string inner;
    gb.on_tracking([&](const std::string &, const std::string &) { inner = gb.feature_value("color"); });
    gb.eval_feature("exp-flag", gbx::Attributes(R"({"id": "789"})"));
    CHECK(inner == "\"blue\"");

    // An exception thrown by the callback comes out of the call that ran it.
    gb.on_tracking([](const std::string &, const std::string &) { throw std::runtime_error("tracking broke"); });
    try {
        gb.eval_feature("exp-flag", gbx::Attributes(R"({"id": "new-user"})"));
        CHECK(false);
    } catch (const std::runtime_error &e) {
        CHECK(std::string(e.what()) == "tracking broke");
    }
    gb.on_tracking(nullptr); // removes
    gb.eval_feature("exp-flag", gbx::Attributes(R"({"id": "another-user"})"));

    // Subscriptions: each change of assignment.
    std::vector<std::string> a, b;
    int id_a = gb.subscribe([&](const std::string &, const std::string &r) { a.push_back(r); });
    int id_b = gb.subscribe([&](const std::string &, const std::string &r) { b.push_back(r); });
    CHECK(id_a > 0 && id_b > 0 && id_a != id_b);
    gb.run_experiment(R"({"key": "sub-exp", "variations": [0, 1], "force": 0})");
    CHECK(a.size() == 1 && b.size() == 1);
    gb.run_experiment(R"({"key": "sub-exp", "variations": [0, 1], "force": 0})"); // no change
    CHECK(a.size() == 1 && b.size() == 1);
    gb.unsubscribe(id_a);
    gb.run_experiment(R"({"key": "sub-exp", "variations": [0, 1], "force": 1})");
    CHECK_D(a.size() == 1 && b.size() == 2, std::to_string(a.size()) + " " + std::to_string(b.size()));
    CHECK_THROWS_CODE(gb.unsubscribe(id_a), GB_ERR_NOT_FOUND);
    CHECK_THROWS_CODE(gb.subscribe(nullptr), GB_ERR_INVALID_ARGUMENT);
    gb.unsubscribe(id_b);
}

static void test_log()
{
    gbx::GrowthBook gb(std::string(R"({"features": )") + FEATURES + "}");
    std::vector<std::pair<int, std::string>> logs;
    gb.on_log([&](int level, const std::string &m) { logs.emplace_back(level, m); }, GB_LOG_DEBUG);
    gb.eval_feature("does-not-exist");
    bool saw = false;
    for (auto &l : logs)
        if (l.first == GB_LOG_WARNING && contains(l.second, "does-not-exist")) saw = true;
    CHECK_D(saw, logs.empty() ? "no log messages" : logs.back().second);
    size_t n = logs.size();
    gb.on_log([&](int level, const std::string &m) { logs.emplace_back(level, m); }, GB_LOG_ERROR);
    gb.eval_feature("does-not-exist");
    CHECK(logs.size() == n); // a warning is below GB_LOG_ERROR
    gb.on_log(nullptr);
    gb.eval_feature("does-not-exist");
    CHECK(logs.size() == n);
}

static void test_include()
{
    gbx::GrowthBook gb(R"({"attributes": {"id": "1"}})");
    const std::string exp = R"({"key": "inc", "variations": [0, 1]})";
    std::string seen;
    std::string r = gb.run_experiment(exp, [&](const std::string &key) {
        seen = key;
        return false;
    });
    CHECK(seen == "inc");
    CHECK_D(has(r, R"("inExperiment":false)"), r);
    r = gb.run_experiment(exp, [](const std::string &) { return true; });
    CHECK_D(has(r, R"("inExperiment":true)"), r);
    try {
        gb.run_experiment(exp, [](const std::string &) -> bool { throw std::logic_error("include broke"); });
        CHECK(false);
    } catch (const std::logic_error &e) {
        CHECK(std::string(e.what()) == "include broke");
    }
    r = gb.run_experiment(exp, gbx::IncludeCallback()); // empty: no include callback
    CHECK(has(r, R"("inExperiment":true)"));
}

static void test_sticky()
{
    const std::string features = R"({"sticky": {"defaultValue": "none", "rules": [{"key": "sb-exp",
        "variations": ["v0", "v1"], "meta": [{"key": "0"}, {"key": "1"}], "hashAttribute": "id",
        "bucketVersion": 0}]}})";

    // A host service backed by a std::map.
    std::map<std::string, std::string> store;
    int gets = 0;
    gbx::GrowthBook gb(R"({"attributes": {"id": "s1"}, "features": )" + features + "}");
    gb.set_sticky_bucket_service(
        [&](const std::string &name, const std::string &value) -> std::optional<std::string> {
            gets++;
            auto it = store.find(name + "||" + value);
            if (it == store.end()) return std::nullopt;
            return it->second;
        },
        [&](const std::string &doc) {
            // Keyed like the built-in service.
            std::string c = compact(doc);
            store[c.find("\"attributeName\":\"id\"") != std::string::npos ? "id||s1" : "other"] = doc;
        });
    std::string r = gb.eval_feature("sticky");
    CHECK_D(has(r, R"("stickyBucketUsed":false)"), r);
    CHECK(store.count("id||s1") == 1);
    CHECK(gets >= 1);
    CHECK_D(has(gb.sticky_bucket_docs(), R"("id||s1":)"), gb.sticky_bucket_docs());

    // A stored assignment wins over hashing: force the other variation.
    std::string assigned = has(r, R"("variationId":0)") ? "1" : "0";
    store["id||s1"] = R"({"attributeName": "id", "attributeValue": "s1", "assignments": {"sb-exp__0": ")" +
                      assigned + "\"}}";
    gb.refresh_sticky_buckets(true);
    r = gb.eval_feature("sticky");
    CHECK_D(has(r, R"("stickyBucketUsed":true)") && has(r, "\"variationId\":" + assigned), r);

    // Exceptions in the service come out of the call that ran it (here the
    // registration itself, which fetches the docs, then a change of
    // attributes, which fetches them again); the library treats them as "no doc".
    int get_errors = 0;
    try {
        gb.set_sticky_bucket_service(
            [](const std::string &, const std::string &) -> std::optional<std::string> {
                throw std::runtime_error("get broke");
            },
            [](const std::string &) {});
    } catch (const std::runtime_error &e) {
        get_errors += std::string(e.what()) == "get broke";
    }
    try {
        gb.set_attributes(R"({"id": "s2"})");
    } catch (const std::runtime_error &e) {
        get_errors += std::string(e.what()) == "get broke";
    }
    CHECK(get_errors == 2);
    CHECK(has(gb.attributes(), R"("id":"s2")")); // the call's own effect stands
    CHECK(has(gb.eval_feature("sticky"), R"("stickyBucketUsed":false)"));
    CHECK_THROWS_CODE(gb.set_sticky_bucket_service(nullptr, [](const std::string &) {}), GB_ERR_INVALID_ARGUMENT);
    gb.remove_sticky_bucket_service();
    CHECK(compact(gb.sticky_bucket_docs()) == "{}");

    // The built-in in-memory service.
    gbx::GrowthBook mem(R"({"attributes": {"id": "m1"}, "features": )" + features + "}");
    mem.use_in_memory_sticky_bucket_service();
    mem.eval_feature("sticky");
    CHECK_D(has(mem.sticky_bucket_docs(), R"("id||m1":{)"), mem.sticky_bucket_docs());
}

static void test_remote()
{
    const std::string payload = R"({"features": {"color": {"defaultValue": "from-transport"}}})";
    std::vector<std::string> urls;
    gbx::set_http_transport([&](const std::string &url, const std::string &headers, gbx::HttpResponse &response) {
        urls.push_back(url);
        if (!has(headers, "{")) return false;
        if (contains(url, "missing")) {
            response.status = 404;
            response.body = "not found";
            return true;
        }
        if (contains(url, "throws")) throw std::runtime_error("transport broke");
        if (contains(url, "refuse")) return false;
        response.status = 200;
        response.headers.emplace_back("ETag", "\"e1\"");
        response.body = payload;
        return true;
    });
    gbx::clear_cache();
    gbx::GrowthBook gb(R"({"apiHost": "http://127.0.0.1:9", "clientKey": "sdk-cpp-ok"})");
    gb.load_features();
    CHECK(gb.feature_value("color") == "\"from-transport\"");
    CHECK(urls.size() == 1 && urls[0] == "http://127.0.0.1:9/api/features/sdk-cpp-ok");

    gbx::GrowthBook missing(R"({"apiHost": "http://127.0.0.1:9", "clientKey": "sdk-missing"})");
    CHECK_THROWS_CODE(missing.load_features(), GB_ERR_HTTP);
    gbx::GrowthBook refused(R"({"apiHost": "http://127.0.0.1:9", "clientKey": "sdk-refuse"})");
    CHECK_THROWS_CODE(refused.load_features(), GB_ERR_NETWORK);
    gbx::GrowthBook throws(R"({"apiHost": "http://127.0.0.1:9", "clientKey": "sdk-throws"})");
    try {
        throws.load_features();
        CHECK(false);
    } catch (const std::runtime_error &e) {
        CHECK_D(std::string(e.what()) == "transport broke", e.what());
    }
    gbx::GrowthBook no_key;
    CHECK_THROWS_CODE(no_key.load_features(), GB_ERR_INVALID_ARGUMENT);

    // A refresher started by a load stops and is joined; the handle keeps its features.
    gbx::GrowthBook refreshing(R"({"apiHost": "http://127.0.0.1:9", "clientKey": "sdk-cpp-ok", "refreshInterval": 1})");
    refreshing.load_features();
    CHECK(gbx::shutdown(std::chrono::seconds(5)));
    CHECK(refreshing.feature_value("color") == "\"from-transport\"");
    CHECK_THROWS_CODE(gbx::shutdown(std::chrono::milliseconds(-1)), GB_ERR_INVALID_ARGUMENT);
    gbx::set_http_transport(nullptr);
    gbx::clear_cache();

    // Decryption (a case of the spec's decrypt fixtures).
    CHECK(gbx::decrypt("m5ylFM6ndyOJA2OPadubkw==.Uu7ViqgKEt/dWvCyhI46q088PkAEJbnXKf3KPZjf9IEQQ+A8fojNoxw4wIbPX3aj",
                       "Zvwv/+uhpFDznZ6SX28Yjg==") == R"({"feature":{"defaultValue":true}})");
    CHECK_THROWS_CODE(gbx::decrypt("m5ylFM6ndyOJA2OPadubkw==.Uu7ViqgKEt/dWvCyhI46q088PkAEJbnXKf3KPZjf9IEQQ+A8fojNoxw4wIbPX3aj",
                                   "Zvwv/+uhpFDznZ6SX39Yjg=="),
                      GB_ERR_DECRYPT);
}

static void test_spec_helpers()
{
    CHECK(gbx::eval_condition(R"({"country": "US"})", R"({"country": "US"})"));
    CHECK(!gbx::eval_condition(R"({"country": "US"})", R"({"country": "FR"})"));
    CHECK(gbx::eval_condition(R"({"id": {"$inGroup": "g"}})", R"({"id": "1"})", std::string(R"({"g": ["1"]})")));
    CHECK_THROWS_CODE(gbx::eval_condition("{", "{}"), GB_ERR_JSON);

    CHECK(gbx::hash("", "a", 1) == std::optional<double>(0.22));
    CHECK(gbx::hash("seed", "a", 2) == std::optional<double>(0.0505));
    CHECK(!gbx::hash("", "a", 99).has_value());

    CHECK(compact(gbx::bucket_ranges(2, 0.5)) == "[[0.0,0.25],[0.5,0.75]]");
    CHECK(compact(gbx::bucket_ranges(2, 1, std::string("[0.4, 0.6]"))) == "[[0.0,0.4],[0.4,1.0]]");
    CHECK(gbx::choose_variation(0.3, "[[0, 0.25], [0.25, 0.5]]") == 1);
    CHECK(gbx::choose_variation(0.9, "[[0, 0.25], [0.25, 0.5]]") == -1);
    CHECK(!gbx::in_namespace("1", R"(["namespace1", 0, 0.4])")); // spec inNamespace cases
    CHECK(gbx::in_namespace("1", R"(["namespace1", 0.4, 1])"));
    CHECK(compact(gbx::equal_weights(2)) == "[0.5,0.5]");
    CHECK(compact(gbx::equal_weights(0)) == "[]");
    CHECK(gbx::query_string_override("my-test", "http://example.com/?my-test=1", 2) == std::optional<int>(1));
    CHECK(!gbx::query_string_override("my-test", "http://example.com/?my-test=5", 2).has_value());
    CHECK(gbx::padded_version_string("1.2.3") == "    1-    2-    3-~");
}

static void test_threads()
{
    // One wrapper object shared by threads, as with the C handle.
    gbx::GrowthBook gb(std::string(R"({"features": )") + FEATURES + "}");
    std::atomic<int> tracked{0}, wrong{0};
    gb.on_tracking([&](const std::string &, const std::string &) { tracked++; });
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++)
        threads.emplace_back([&, t] {
            gbx::Attributes attrs("{\"id\": \"user-" + std::to_string(t) + "\", \"country\": \"US\"}");
            for (int i = 0; i < 300; i++) {
                if (!gb.is_on("geo", attrs)) wrong++;
                if (!has(gb.eval_feature("exp-flag", attrs), "\"hashValue\":\"user-" + std::to_string(t) + "\""))
                    wrong++;
            }
        });
    threads.emplace_back([&] {
        for (int i = 0; i < 100; i++) gb.set_features(FEATURES);
    });
    for (auto &t : threads) t.join();
    CHECK(wrong == 0);
    CHECK(tracked == 4); // one assignment per user, tracked once
}

static void test_attributes_builder()
{
    gbx::GrowthBook gb(std::string(R"({"features": )") + FEATURES + "}");
    gbx::AttributesBuilder b;
    b.key("id").string("u-us").key("country").string("US").key("tags").begin_array().string("beta").integer(3)
        .end_array().key("score").number(72.5).key("ok").boolean(true).key("none").null();
    gbx::Attributes us = b.finish();
    CHECK(gb.is_on("geo", us));
    gb.set_attributes(us);
    CHECK(gb.is_on("geo"));
    CHECK(has(gb.attributes(), R"("tags":["beta",3])"));
    CHECK_THROWS_CODE(b.string("no key"), GB_ERR_INVALID_ARGUMENT);
    CHECK_THROWS_CODE(b.key("k").key("again"), GB_ERR_INVALID_ARGUMENT);
    CHECK_THROWS_CODE(b.finish(), GB_ERR_INVALID_ARGUMENT); // "k" has no value yet
    b.string("v");
    gbx::Attributes kv = b.finish(); // the builder was reused
    CHECK(!gb.is_on("geo", kv));
    gb.set_attributes(kv);
    CHECK(has(gb.attributes(), R"({"k":"v"})"));
}

int main()
{
    const struct {
        const char *name;
        void (*fn)();
    } tests[] = {
        {"types", test_types},
        {"lifecycle", test_lifecycle},
        {"state", test_state},
        {"evaluation", test_evaluation},
        {"typed evaluation", test_typed},
        {"per-call attributes", test_per_call_attributes},
        {"attributes builder", test_attributes_builder},
        {"tracking and subscriptions", test_tracking_and_subscriptions},
        {"log", test_log},
        {"include", test_include},
        {"sticky bucketing", test_sticky},
        {"remote", test_remote},
        {"spec helpers", test_spec_helpers},
        {"threads", test_threads},
    };
    for (const auto &t : tests) {
        int before = failed;
        try {
            t.fn();
        } catch (const std::exception &e) {
            failed++;
            std::fprintf(stderr, "FAIL: %s: unexpected exception: %s\n", t.name, e.what());
        }
        if (failed != before) std::fprintf(stderr, "  (in %s)\n", t.name);
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
