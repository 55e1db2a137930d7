import GrowthBookCore
import Testing

/// The tests conditions decide without a call (an integer compared with an integer, a string
/// in a short list of strings) and the integer `$size` makes up must answer as the general path
/// does, around their edges: other kinds fall through to Python's comparison and equality.
/// Every expectation was checked against growthbook 1.1.0's `evalCondition`.
@Suite struct ConditionFastPathTests {
    @Test(arguments: [
        // A string in a list of mixed kinds: strings match by bytes only.
        (#"{"v":{"$in":["a",1,"b"]}}"#, #"{"v":"b"}"#, true),
        (#"{"v":{"$in":["a",1,"b"]}}"#, #"{"v":"1"}"#, false),
        (#"{"v":{"$in":["a",1,"b"]}}"#, #"{"v":1}"#, true),
        (#"{"v":{"$in":["a",1,"b"]}}"#, #"{"v":1.0}"#, true),
        (#"{"v":{"$in":["a",1,"b"]}}"#, #"{"v":true}"#, true),
        (#"{"v":{"$in":["ab","a"]}}"#, #"{"v":"a"}"#, true),
        (#"{"v":{"$in":["ab"]}}"#, #"{"v":"a"}"#, false),
        (#"{"v":{"$in":[""]}}"#, #"{"v":""}"#, true),
        (#"{"v":{"$in":[]}}"#, #"{"v":"x"}"#, false),
        (#"{"v":{"$in":["US","CA"]}}"#, #"{"v":["FR","CA"]}"#, true),
        (#"{"v":{"$in":["US","CA"]}}"#, #"{}"#, false),
        (#"{"v":{"$nin":["US","CA"]}}"#, #"{"v":"US"}"#, false),
        (#"{"v":{"$nin":["US","CA"]}}"#, #"{"v":"FR"}"#, true),
        (#"{"v":{"$nin":["US","CA"]}}"#, #"{}"#, true),
        // Numbers: integers against integers decided in place, anything else as Python does.
        (#"{"v":{"$gt":18}}"#, #"{"v":30}"#, true),
        (#"{"v":{"$gt":18}}"#, #"{"v":18}"#, false),
        (#"{"v":{"$gte":18}}"#, #"{"v":18}"#, true),
        (#"{"v":{"$lt":18}}"#, #"{"v":-5}"#, true),
        (#"{"v":{"$lte":18}}"#, #"{"v":19}"#, false),
        (#"{"v":{"$eq":18}}"#, #"{"v":18}"#, true),
        (#"{"v":{"$ne":18}}"#, #"{"v":18}"#, false),
        (#"{"v":{"$gt":18}}"#, #"{"v":18.5}"#, true),
        (#"{"v":{"$gt":18.5}}"#, #"{"v":19}"#, true),
        (#"{"v":{"$gt":18}}"#, #"{"v":"25"}"#, true),
        (#"{"v":{"$gt":9223372036854775806}}"#, #"{"v":9223372036854775807}"#, true),
        (#"{"v":{"$lt":-9223372036854775807}}"#, #"{"v":-9223372036854775808}"#, true),
        (#"{"v":{"$gt":18,"$lt":65}}"#, #"{"v":30}"#, true),
        (#"{"v":{"$gt":18,"$lt":65}}"#, #"{"v":70}"#, false),
        (#"{"a":{"$in":["x"]},"b":{"$gt":1}}"#, #"{"a":"x","b":2}"#, true),
        (#"{"a":{"$in":["x"]},"b":{"$gt":1}}"#, #"{"a":"x","b":1}"#, false),
        (#"{"$or":[{"a":{"$in":["y"]}},{"b":{"$gt":1}}]}"#, #"{"a":"x","b":2}"#, true),
        // An array's length, made up as an integer value for its test.
        (#"{"v":{"$size":2}}"#, #"{"v":[1,"x"]}"#, true),
        (#"{"v":{"$size":{"$gt":1,"$lt":3}}}"#, #"{"v":[[],{}]}"#, true),
        (#"{"v":{"$size":{"$gt":1}}}"#, #"{"v":[1]}"#, false),
        (#"{"v":{"$size":{"$in":[0,3]}}}"#, #"{"v":[]}"#, true),
        (#"{"v":{"$size":0}}"#, #"{"v":"ab"}"#, false),
    ])
    func fastPathsAnswerAsThePythonReference(_ condition: String, _ attributes: String, _ expected: Bool) throws {
        let c = Condition(try JSON.parse(condition), semantics: .python110)
        #expect(c.evaluate(try JSON.parse(attributes)) == expected, "\(condition) with \(attributes)")
    }
}
