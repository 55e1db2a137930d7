// demo.cpp -- the C++ wrapper (growthbook.hpp) on the bundled example features.
//
//   c++ -std=c++17 examples/cpp/demo.cpp $(pkg-config --cflags --libs growthbook) -o demo-cpp
//   ./demo-cpp examples/features.json
//
// One GrowthBook object owns the handle; a lambda receives the tracking
// calls; each user's attributes are parsed once (growthbook::Attributes) and
// used for every feature, so the handle itself never changes. Errors are
// exceptions carrying the library's message.
#include <growthbook.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

// The raw JSON text of a top-level member of a JSON object ("" if absent):
// just enough to print parts of the results without a JSON library.
static std::string member(const std::string &json, const std::string &key)
{
    const std::string quoted = "\"" + key + "\":";
    size_t p = json.find(quoted);
    if (p == std::string::npos) return "";
    p += quoted.size();
    size_t end = p;
    int depth = 0;
    bool in_str = false;
    for (; end < json.size(); end++) {
        char c = json[end];
        if (in_str) {
            if (c == '\\') end++;
            else if (c == '"') in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth-- == 0) break;
        } else if (c == ',' && depth == 0) {
            break;
        }
    }
    return json.substr(p, end - p);
}

static std::string unquote(const std::string &s)
{
    return s.size() >= 2 && s.front() == '"' && s.back() == '"' ? s.substr(1, s.size() - 2) : s;
}

int main(int argc, char **argv)
{
    const std::string path = argc > 1 ? argv[1] : "examples/features.json";
    std::ifstream in(path);
    if (!in) {
        std::cerr << "demo: cannot read " << path << "\n";
        return 1;
    }
    std::stringstream features;
    features << in.rdbuf();

    try {
        std::cout << "libgrowthbook " << growthbook::version() << " (C++ wrapper)\n";
        growthbook::GrowthBook gb;
        gb.set_features(features.str());

        int tracked = 0;
        gb.on_tracking([&tracked](const std::string &experiment, const std::string &result) {
            tracked++;
            std::cout << "    [tracking] viewed experiment " << unquote(member(experiment, "key")) << " variation "
                      << member(result, "variationId") << " (user " << unquote(member(result, "hashValue")) << ")\n";
        });

        const std::vector<std::string> keys = {"checkout-enabled", "welcome-message", "search-config",
                                               "new-checkout",     "express-pay",     "button-color"};
        const std::vector<std::string> users = {
            R"({"id": "user-1001", "country": "US", "age": 34, "email": "jane@gmail.com", "appVersion": "2.6.1"})",
            R"({"id": "user-1002", "country": "CA", "age": 19, "email": "sam@example.com", "appVersion": "2.4.0"})",
            R"({"id": "user-1003", "country": "FR", "age": 45, "email": "luc@example.fr", "appVersion": "1.9.12"})",
            R"({"id": "user-1004", "country": "DE", "age": 28, "email": "anna@web.de", "appVersion": "2.10.0"})",
        };

        for (const auto &user : users) {
            growthbook::Attributes attrs(user); // parsed once, used for every feature
            std::cout << "\n" << user << "\n";
            for (const auto &key : keys) {
                std::string result = gb.eval_feature(key, attrs); // FeatureResult JSON
                std::string line = "  " + key + std::string(key.size() < 17 ? 17 - key.size() : 0, ' ') + " " +
                                   member(result, "value");
                std::cout << line << "  source=" << unquote(member(result, "source"));
                std::string rule = unquote(member(result, "ruleId"));
                if (!rule.empty()) std::cout << " ruleId=" << rule;
                std::string exp = member(result, "experimentResult");
                if (!exp.empty())
                    std::cout << " variation=" << member(exp, "variationId")
                              << " inExperiment=" << member(exp, "inExperiment");
                std::cout << "\n";
            }
        }
        std::cout << "\n" << tracked << " experiment exposure(s) tracked\n";

        // Errors are exceptions with the library's message.
        try {
            gb.set_features("{\"broken\": ");
        } catch (const growthbook::Error &e) {
            std::cout << "bad features rejected (code " << e.code() << "): " << e.what() << "\n";
        }
    } catch (const growthbook::Error &e) {
        std::cerr << "demo: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
