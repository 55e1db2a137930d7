"""The constants of include/growthbook.h, name for name and value for value.

tests/test_abi_constants.py parses the header and checks that this module defines exactly its
GB_* enum members, integer macros and string macros (but GB_VERSION), with the same values."""

GB_ABI_VERSION = 1

# The deepest nesting JSON input may have.
GB_MAX_JSON_DEPTH = 128

# The names of the semantics profiles (the header's string macros).
GB_SEMANTICS_JS = "js"
GB_SEMANTICS_PYTHON_1_1_0 = "python-1.1.0"

# Result codes.
GB_OK = 0
GB_ERR_INVALID_ARGUMENT = -1
GB_ERR_UTF8 = -2
GB_ERR_JSON = -3
GB_ERR_TYPE = -4
GB_ERR_NOT_FOUND = -5
GB_ERR_CALLBACK = -6
GB_ERR_NETWORK = -7
GB_ERR_HTTP = -8
GB_ERR_DECRYPT = -9
GB_ERR_NO_MEMORY = -10
GB_ERR_BUSY = -11
GB_ERR_INTERNAL = -99

# Log levels (the same numbers as Python's logging module).
GB_LOG_DEBUG = 10
GB_LOG_INFO = 20
GB_LOG_WARNING = 30
GB_LOG_ERROR = 40

# The type of a value.
GB_VALUE_NULL = 0
GB_VALUE_FALSE = 1
GB_VALUE_TRUE = 2
GB_VALUE_INT = 3
GB_VALUE_DOUBLE = 4
GB_VALUE_STRING = 5
GB_VALUE_ARRAY = 6
GB_VALUE_OBJECT = 7

# Where a feature's value came from.
GB_SOURCE_UNKNOWN_FEATURE = 0
GB_SOURCE_DEFAULT_VALUE = 1
GB_SOURCE_FORCE = 2
GB_SOURCE_EXPERIMENT = 3
GB_SOURCE_PREREQUISITE = 4
GB_SOURCE_CYCLIC_PREREQUISITE = 5

# The fields of the summary a typed evaluation returns.
GB_SUMMARY_TYPE_MASK = 0xF
GB_SUMMARY_SOURCE_SHIFT = 4
GB_SUMMARY_SOURCE_MASK = 0xF
GB_SUMMARY_ON = 0x100
