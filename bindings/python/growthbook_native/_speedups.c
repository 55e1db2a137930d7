/*
 * _speedups: the optional compiled accelerator of growthbook_native.
 *
 * What it does: the evaluation calls of GrowthBook (is_on, is_off, get_feature_value,
 * eval_feature and their camelCase aliases) and set_attributes, written as methods of a C base
 * type, Core, that growthbook.GrowthBook subclasses; a JSON writer that gives exactly what
 * json.dumps gives for the values attributes and options hold; and the fingerprint of the
 * caller's attribute tree that lets an evaluation notice attributes edited in place (growthbook
 * 1.1.0 evaluates with the caller's dict as it is now).
 *
 * The extension does not link libgrowthbook: bind(path, ...) dlopens the very library ctypes
 * loaded (so GROWTHBOOK_NATIVE_LIBRARY keeps working and both paths use one copy of it, one
 * set of handles) and looks up the functions it calls. Nothing here holds a pointer into the
 * library that bind() did not check.
 *
 * The GIL is held across every library call, as growthbook.py's PyDLL calls do: evaluations
 * take well under a microsecond and never block; callbacks the library makes during them
 * (tracking, sticky buckets, logging) run Python on this thread. While they do, another thread
 * may destroy() the instance, so every call holds a strong reference to the object that owns
 * the handle (a _Handle, which frees it when its last reference goes) until it returns.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

/* The few declarations of include/growthbook.h used here, mirrored so the extension builds
 * without the header (an sdist built elsewhere). When the header is on the include path (a
 * build inside the repository), the mirror is checked against it at compile time. */
typedef struct gbx_value {
    int type;
    int source;
    int on;
    int variation_id;
    long long integer;
    double number;
    size_t length;
    size_t rule_id_length;
    size_t result_length;
    const char *text;
} gbx_value;

#if defined(__has_include)
#if __has_include(<growthbook.h>)
#include <growthbook.h>
#define GBX_SAME(field) \
    _Static_assert(offsetof(gbx_value, field) == offsetof(gb_value, field), "gb_value." #field)
GBX_SAME(type);
GBX_SAME(source);
GBX_SAME(on);
GBX_SAME(variation_id);
GBX_SAME(integer);
GBX_SAME(number);
GBX_SAME(length);
GBX_SAME(rule_id_length);
GBX_SAME(result_length);
GBX_SAME(text);
_Static_assert(sizeof(gbx_value) == sizeof(gb_value), "sizeof gb_value");
_Static_assert(GB_VALUE_NULL == 0 && GB_VALUE_FALSE == 1 && GB_VALUE_TRUE == 2 && GB_VALUE_INT == 3 &&
               GB_VALUE_DOUBLE == 4 && GB_VALUE_STRING == 5, "GB_VALUE_*");
_Static_assert(GB_SOURCE_FORCE == 2 && GB_SOURCE_EXPERIMENT == 3, "GB_SOURCE_*");
_Static_assert(GB_SUMMARY_TYPE_MASK == 0xF && GB_SUMMARY_SOURCE_SHIFT == 4 && GB_SUMMARY_SOURCE_MASK == 0xF &&
               GB_SUMMARY_ON == 0x100, "GB_SUMMARY_*");
#endif
#endif

enum { V_NULL = 0, V_FALSE = 1, V_TRUE = 2, V_INT = 3, V_DOUBLE = 4, V_STRING = 5 };
enum { S_FORCE = 2, S_EXPERIMENT = 3 };
enum { SUMMARY_TYPE_MASK = 0xF, SUMMARY_SOURCE_SHIFT = 4, SUMMARY_SOURCE_MASK = 0xF, SUMMARY_ON = 0x100 };

/* How deep the JSON writer and the fingerprint walk go before giving up (the library itself
 * accepts 128 levels; this bounds the C stack, whatever the caller hands in). */
#define MAX_DEPTH 500

/* ---------------------------------------------------------------------------------------
 * The library, as bind() found it
 * ------------------------------------------------------------------------------------- */

typedef int (*key_fn)(void *gb, const char *key);
typedef int (*eval_fn)(void *gb, const char *key, void *buffer);

static struct {
    void *dl;
    key_fn is_on;
    key_fn is_off;
    eval_fn eval_value;
    eval_fn eval_result;
    void *(*buffer_create)(void);
    void (*buffer_free)(void *);
    const gbx_value *(*buffer_value)(const void *);
    int (*set_attributes_json)(void *gb, const char *json);
    /* the multi-user client's calls (client.py): per-call attributes */
    int (*is_on_with)(void *gb, const char *key, const void *attributes);
    int (*eval_with)(void *gb, const char *key, const void *attributes, int with_result, void *buffer);
    void *(*attributes_create)(const char *json);
    void (*attributes_free)(void *attributes);
    int (*set_attributes)(void *gb, const void *attributes);
    int (*set_features_from)(void *gb, const void *source);
    /* gb_attributes_builder: attributes from Python values without JSON text */
    void *(*builder_create)(void);
    void (*builder_free)(void *b);
    int (*builder_key)(void *b, const char *s, size_t n);
    int (*builder_string)(void *b, const char *s, size_t n);
    int (*builder_int)(void *b, int64_t v);
    int (*builder_double)(void *b, double v);
    int (*builder_bool)(void *b, int v);
    int (*builder_null)(void *b);
    int (*builder_integer_literal)(void *b, const char *s, size_t n);
    int (*builder_begin_array)(void *b);
    int (*builder_end_array)(void *b);
    int (*builder_begin_object)(void *b);
    int (*builder_end_object)(void *b);
    void *(*builder_finish)(void *b);
} lib;

/* The Python objects bind() was given. */
static PyTypeObject *feature_result_type; /* models.FeatureResult */
static PyObject *sources;                 /* FeatureResult.source strings, by GB_SOURCE_* */
static PyObject *json_loads;
static PyObject *json_dumps;
static PyObject *lib_error;  /* _lib.error(): the thread's last library error as an exception */
static PyObject *merge_user; /* growthbook._merge_user(attributes, user) */

/* FeatureResult's slots, written in place (their member descriptors' offsets): setting eight
 * attributes through PyObject_SetAttr is a third of eval_feature's time. */
enum { R_VALUE, R_SOURCE, R_ON, R_OFF, R_RULE_ID, R_EXPERIMENT, R_EXPERIMENT_RESULT, R_RAW, R_COUNT };
static const char *const result_slots[R_COUNT] = {
    "value", "source", "on", "off", "_ruleId", "_experiment", "_experimentResult", "_raw",
};
static Py_ssize_t result_offsets[R_COUNT];

static int bound;

/* Interned method names. */
static PyObject *str_fail, *str_resync, *str_set_attributes_slow, *str_value;

/* ---------------------------------------------------------------------------------------
 * Per-thread evaluation buffers
 *
 * A gb_eval_buffer is not thread-safe, so each thread has its own, freed when the thread
 * exits. A callback that evaluates again on the same thread, while the outer evaluation's
 * result is still in the buffer, gets a temporary one instead.
 * ------------------------------------------------------------------------------------- */

static pthread_key_t buffer_key;
static _Thread_local struct {
    void *buffer;
    const gbx_value *value;
    int busy;
} tls;

typedef struct {
    void *buffer;
    const gbx_value *value;
    int owned; /* a temporary buffer, freed by scratch_release */
} scratch;

static void free_thread_buffer(void *buffer) {
    if (buffer && lib.buffer_free)
        lib.buffer_free(buffer);
}

static int scratch_acquire(scratch *s) {
    if (!tls.busy) {
        if (!tls.buffer) {
            void *b = lib.buffer_create();
            const gbx_value *v = b ? lib.buffer_value(b) : NULL;
            if (!v) {
                if (b)
                    lib.buffer_free(b);
                PyErr_NoMemory();
                return -1;
            }
            if (pthread_setspecific(buffer_key, b) != 0) {
                lib.buffer_free(b);
                PyErr_SetString(PyExc_RuntimeError, "growthbook_native: pthread_setspecific failed");
                return -1;
            }
            tls.buffer = b;
            tls.value = v;
        }
        tls.busy = 1;
        s->buffer = tls.buffer;
        s->value = tls.value;
        s->owned = 0;
        return 0;
    }
    s->buffer = lib.buffer_create();
    s->value = s->buffer ? lib.buffer_value(s->buffer) : NULL;
    if (!s->value) {
        if (s->buffer)
            lib.buffer_free(s->buffer);
        PyErr_NoMemory();
        return -1;
    }
    s->owned = 1;
    return 0;
}

static void scratch_release(scratch *s) {
    if (s->owned)
        lib.buffer_free(s->buffer);
    else
        tls.busy = 0;
}

/* ---------------------------------------------------------------------------------------
 * JSON writer: json.dumps(value) byte for byte (default arguments: ensure_ascii, ", " and
 * ": " separators), for dicts with str keys, lists, tuples, str, int, float, bool and None of
 * exactly those types. Anything else (a subclass, a non-str key, NaN or infinity) makes the
 * whole value go through json.dumps itself, so the output never depends on which wrote it.
 * ------------------------------------------------------------------------------------- */

typedef struct {
    char *p;
    size_t len, cap;
    char stack[1024];
} wbuf;

#define W_UNSUPPORTED 1 /* not an error: the caller falls back to json.dumps */

static int wb_grow(wbuf *b, size_t extra) {
    if (extra > PY_SSIZE_T_MAX - b->len) {
        PyErr_NoMemory();
        return -1;
    }
    size_t need = b->len + extra, cap = b->cap * 2;
    if (cap < need)
        cap = need;
    char *p;
    if (b->p == b->stack) {
        p = PyMem_Malloc(cap);
        if (p)
            memcpy(p, b->stack, b->len);
    } else {
        p = PyMem_Realloc(b->p, cap);
    }
    if (!p) {
        PyErr_NoMemory();
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static inline int wb_put(wbuf *b, const char *s, size_t n) {
    if (b->cap - b->len < n && wb_grow(b, n) < 0)
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

#define WB_LIT(b, s) wb_put((b), (s), sizeof(s) - 1)

static int write_string(wbuf *b, PyObject *s) {
    static const char hex[] = "0123456789abcdef";
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    if (PyUnicode_IS_ASCII(s)) { /* most keys and values: copied as they are unless one needs escaping */
        const unsigned char *a = (const unsigned char *)data;
        Py_ssize_t i = 0;
        while (i < n && a[i] >= ' ' && a[i] != '"' && a[i] != '\\' && a[i] != 0x7f)
            i++;
        if (i == n) {
            if (b->cap - b->len < (size_t)n + 2 && wb_grow(b, (size_t)n + 2) < 0)
                return -1;
            char *o = b->p + b->len;
            *o++ = '"';
            memcpy(o, a, (size_t)n);
            o[n] = '"';
            b->len += (size_t)n + 2;
            return 0;
        }
    }
    /* At most 12 bytes per code point (a surrogate pair), plus the quotes. */
    if ((size_t)n > (PY_SSIZE_T_MAX - 2) / 12) {
        PyErr_NoMemory();
        return -1;
    }
    size_t most = (size_t)n * 12 + 2;
    if (b->cap - b->len < most && wb_grow(b, most) < 0)
        return -1;
    char *o = b->p + b->len;
    *o++ = '"';
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= ' ' && c <= '~' && c != '"' && c != '\\') {
            *o++ = (char)c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; continue;
        case '\\': *o++ = '\\'; continue;
        case '\n': *o++ = 'n'; continue;
        case '\r': *o++ = 'r'; continue;
        case '\t': *o++ = 't'; continue;
        case '\b': *o++ = 'b'; continue;
        case '\f': *o++ = 'f'; continue;
        default: break;
        }
        if (c >= 0x10000) { /* a surrogate pair, as json writes it */
            Py_UCS4 v = c - 0x10000;
            Py_UCS4 hi = 0xd800 | ((v >> 10) & 0x3ff);
            *o++ = 'u';
            *o++ = hex[(hi >> 12) & 0xf];
            *o++ = hex[(hi >> 8) & 0xf];
            *o++ = hex[(hi >> 4) & 0xf];
            *o++ = hex[hi & 0xf];
            *o++ = '\\';
            c = 0xdc00 | (v & 0x3ff);
        }
        /* includes lone surrogates, written as json.dumps writes them */
        *o++ = 'u';
        *o++ = hex[(c >> 12) & 0xf];
        *o++ = hex[(c >> 8) & 0xf];
        *o++ = hex[(c >> 4) & 0xf];
        *o++ = hex[c & 0xf];
    }
    *o++ = '"';
    b->len = (size_t)(o - b->p);
    return 0;
}

static int write_value(wbuf *b, PyObject *v, int depth);

static int write_int(wbuf *b, PyObject *v) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (x == -1 && PyErr_Occurred())
        return -1;
    if (!overflow) { /* the digits written here: snprintf costs ten times as much */
        char digits[24];
        char *e = digits + sizeof digits, *p = e;
        unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
        do {
            *--p = (char)('0' + (int)(u % 10));
            u /= 10;
        } while (u);
        if (x < 0)
            *--p = '-';
        return wb_put(b, p, (size_t)(e - p));
    }
    /* int.__repr__, as json uses (it raises past sys.get_int_max_str_digits, as json does) */
    PyObject *s = PyLong_Type.tp_repr(v);
    if (!s)
        return -1;
    Py_ssize_t n;
    const char *u = PyUnicode_AsUTF8AndSize(s, &n);
    int rc = u ? wb_put(b, u, (size_t)n) : -1;
    Py_DECREF(s);
    return rc;
}

static int write_float(wbuf *b, PyObject *v) {
    double d = PyFloat_AS_DOUBLE(v);
    if (!isfinite(d))
        return W_UNSUPPORTED; /* NaN, Infinity: json's own spelling */
    /* float.__repr__ exactly */
    char *s = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (!s)
        return -1;
    int rc = wb_put(b, s, strlen(s));
    PyMem_Free(s);
    return rc;
}

static int write_items(wbuf *b, PyObject *seq, int depth) {
    /* a list cannot change under us: nothing here runs Python code */
    int list = PyList_CheckExact(seq);
    Py_ssize_t n = list ? PyList_GET_SIZE(seq) : PyTuple_GET_SIZE(seq);
    if (n == 0)
        return WB_LIT(b, "[]");
    if (WB_LIT(b, "[") < 0)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i && WB_LIT(b, ", ") < 0)
            return -1;
        PyObject *item = list ? PyList_GET_ITEM(seq, i) : PyTuple_GET_ITEM(seq, i);
        int rc = write_value(b, item, depth + 1);
        if (rc)
            return rc;
    }
    return WB_LIT(b, "]");
}

static int write_dict(wbuf *b, PyObject *d, int depth) {
    if (PyDict_GET_SIZE(d) == 0)
        return WB_LIT(b, "{}");
    if (WB_LIT(b, "{") < 0)
        return -1;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    int first = 1;
    while (PyDict_Next(d, &pos, &k, &v)) {
        if (!PyUnicode_CheckExact(k))
            return W_UNSUPPORTED; /* json converts int, float, bool and None keys */
        if (!first && WB_LIT(b, ", ") < 0)
            return -1;
        first = 0;
        if (write_string(b, k) < 0 || WB_LIT(b, ": ") < 0)
            return -1;
        int rc = write_value(b, v, depth + 1);
        if (rc)
            return rc;
    }
    return WB_LIT(b, "}");
}

static int write_value(wbuf *b, PyObject *v, int depth) {
    if (depth > MAX_DEPTH) {
        PyErr_Format(PyExc_ValueError, "value nested more than %d levels deep (or circular)", MAX_DEPTH);
        return -1;
    }
    if (v == Py_None)
        return WB_LIT(b, "null");
    if (v == Py_True)
        return WB_LIT(b, "true");
    if (v == Py_False)
        return WB_LIT(b, "false");
    if (PyUnicode_CheckExact(v))
        return write_string(b, v);
    if (PyLong_CheckExact(v))
        return write_int(b, v);
    if (PyFloat_CheckExact(v))
        return write_float(b, v);
    if (PyDict_CheckExact(v))
        return write_dict(b, v, depth);
    if (PyList_CheckExact(v) || PyTuple_CheckExact(v))
        return write_items(b, v, depth);
    return W_UNSUPPORTED;
}

/* json.dumps(value).encode("utf-8") (the output is ASCII), as a new bytes object. */
static PyObject *dumps_bytes(PyObject *value) {
    wbuf b;
    b.p = b.stack;
    b.len = 0;
    b.cap = sizeof b.stack;
    int rc = write_value(&b, value, 0);
    PyObject *out = NULL;
    if (rc == 0) {
        out = PyBytes_FromStringAndSize(b.p, (Py_ssize_t)b.len);
    } else if (rc == W_UNSUPPORTED) {
        PyObject *s = PyObject_CallOneArg(json_dumps, value);
        if (s) {
            out = PyUnicode_Check(s) ? PyUnicode_AsUTF8String(s) : NULL;
            if (!out && !PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "json.dumps did not return a str");
            Py_DECREF(s);
        }
    }
    if (b.p != b.stack)
        PyMem_Free(b.p);
    return out;
}

/* ---------------------------------------------------------------------------------------
 * Attribute fingerprints
 *
 * growthbook 1.1.0 keeps the caller's attributes dict and reads it at each evaluation, so
 * code that edits it in place (attrs["country"] = "UK") sees the edit. The library holds a
 * parsed copy instead; to behave the same, sending attributes records the tree it sent, and
 * every evaluation first checks the tree against the record, sending the attributes again
 * when it differs. The record holds a reference to every object in it, so no identity it
 * compares can be reused by another object.
 *
 * A dict is recorded by its identity and, where CPython has one (3.11 and before: PEP 509's
 * ma_version_tag, which every change of any dict replaces by a new, globally unique number),
 * its version, then the subtrees of its container values: an unchanged version means the same
 * keys and values, so only those containers need looking at (one comparison for a flat
 * attribute dict). Without versions, and for lists (tuples are walked for the containers they
 * hold), every key and value is compared by identity, and the container's length. Equal
 * identities (and versions) all the way down mean an unchanged tree: leaves of other types are
 * immutable, or are not JSON and were refused when the attributes were set.
 * Walk order: a node, then its parts (see fp_add).
 * ------------------------------------------------------------------------------------- */

#if PY_VERSION_HEX < 0x030C0000 /* deprecated in 3.12 */
#define DICT_VERSION(d) (((PyDictObject *)(d))->ma_version_tag)
#endif

enum { FP_LEAF, FP_DICT, FP_SEQUENCE };

typedef struct {
    PyObject *obj;      /* a strong reference */
    int kind;           /* FP_* */
    Py_ssize_t count;   /* FP_DICT with versions: how many container values follow; else the
                           container's length */
    unsigned long long version; /* FP_DICT with versions */
} fp_entry;

typedef struct {
    fp_entry *e;
    Py_ssize_t n, cap;
} fingerprint;

static inline int is_container(PyObject *o) {
    return PyDict_Check(o) || PyList_Check(o) || PyTuple_Check(o);
}

static inline Py_ssize_t sequence_len(PyObject *o) {
    return PyList_Check(o) ? PyList_GET_SIZE(o) : PyTuple_GET_SIZE(o);
}

static inline PyObject *sequence_item(PyObject *o, Py_ssize_t i) {
    return PyList_Check(o) ? PyList_GET_ITEM(o, i) : PyTuple_GET_ITEM(o, i);
}

/* Appends an entry; returns its index, or -1 with MemoryError. */
static Py_ssize_t fp_push(fingerprint *f, PyObject *o, int kind, Py_ssize_t count) {
    if (f->n == f->cap) {
        Py_ssize_t cap = f->cap ? f->cap * 2 : 16;
        fp_entry *e = PyMem_Resize(f->e, fp_entry, (size_t)cap);
        if (!e) {
            PyErr_NoMemory();
            return -1;
        }
        f->e = e;
        f->cap = cap;
    }
    Py_INCREF(o);
    fp_entry *e = &f->e[f->n];
    e->obj = o;
    e->kind = kind;
    e->count = count;
    e->version = 0;
    return f->n++;
}

static void fp_clear(fingerprint *f) {
    fp_entry *e = f->e;
    Py_ssize_t n = f->n;
    f->e = NULL;
    f->n = f->cap = 0;
    /* the references go last: their finalizers may run Python code */
    for (Py_ssize_t i = 0; i < n; i++)
        Py_DECREF(e[i].obj);
    PyMem_Free(e);
}

static int fp_add(fingerprint *f, PyObject *o, int depth) {
    if (depth > MAX_DEPTH) {
        PyErr_Format(PyExc_ValueError, "attributes nested more than %d levels deep (or circular)", MAX_DEPTH);
        return -1;
    }
    if (!is_container(o))
        return fp_push(f, o, FP_LEAF, 0) < 0 ? -1 : 0;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    if (PyDict_Check(o)) {
#ifdef DICT_VERSION
        /* the dict, its version, then its container values' subtrees */
        Py_ssize_t at = fp_push(f, o, FP_DICT, 0);
        if (at < 0)
            return -1;
        f->e[at].version = DICT_VERSION(o);
        Py_ssize_t containers = 0;
        while (PyDict_Next(o, &pos, &k, &v))
            if (is_container(v)) {
                if (fp_add(f, v, depth + 1) < 0)
                    return -1;
                containers++;
            }
        f->e[at].count = containers;
#else
        /* the dict, its length, then each key (a leaf) and value's subtree */
        if (fp_push(f, o, FP_DICT, PyDict_GET_SIZE(o)) < 0)
            return -1;
        while (PyDict_Next(o, &pos, &k, &v))
            if (fp_push(f, k, FP_LEAF, 0) < 0 || fp_add(f, v, depth + 1) < 0)
                return -1;
#endif
        return 0;
    }
    /* a list or tuple, its length, then each item's subtree */
    Py_ssize_t n = sequence_len(o);
    if (fp_push(f, o, FP_SEQUENCE, n) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++)
        if (fp_add(f, sequence_item(o, i), depth + 1) < 0)
            return -1;
    return 0;
}

/* 1 when the subtree recorded at entry *i is o, unchanged (advancing *i past it), else 0. */
static int fp_same(const fingerprint *f, Py_ssize_t *i, PyObject *o, int depth) {
    if (*i >= f->n || f->e[*i].obj != o)
        return 0;
    const fp_entry *e = &f->e[(*i)++];
    if (e->kind == FP_LEAF)
        return 1;
    if (depth > MAX_DEPTH)
        return 0;
    if (e->kind == FP_DICT) {
#ifdef DICT_VERSION
        if (DICT_VERSION(o) != e->version)
            return 0;
        /* unchanged: its container values are the recorded ones */
        for (Py_ssize_t j = 0; j < e->count; j++)
            if (*i >= f->n || !fp_same(f, i, f->e[*i].obj, depth + 1))
                return 0;
#else
        if (PyDict_GET_SIZE(o) != e->count)
            return 0;
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (PyDict_Next(o, &pos, &k, &v)) {
            if (*i >= f->n || f->e[*i].obj != k)
                return 0;
            (*i)++;
            if (!fp_same(f, i, v, depth + 1))
                return 0;
        }
#endif
        return 1;
    }
    if (sequence_len(o) != e->count)
        return 0;
    for (Py_ssize_t j = 0; j < e->count; j++)
        if (!fp_same(f, i, sequence_item(o, j), depth + 1))
            return 0;
    return 1;
}

/* 1 when every recorded tree is unchanged. The roots are the recorded objects themselves:
 * replacing the attributes goes through set_attributes, which records again. */
static int fp_unchanged(const fingerprint *f) {
    Py_ssize_t i = 0;
    while (i < f->n)
        if (!fp_same(f, &i, f->e[i].obj, 0))
            return 0;
    return 1;
}

/* ---------------------------------------------------------------------------------------
 * Fingerprint: the same record of trees, as an object of its own (the multi-user client keeps
 * one per UserContext): Fingerprint(*roots), .changed().
 * ------------------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    fingerprint fp;
} Fingerprint;

static int fingerprint_traverse(Fingerprint *self, visitproc visit, void *arg) {
    for (Py_ssize_t i = 0; i < self->fp.n; i++)
        Py_VISIT(self->fp.e[i].obj);
    return 0;
}

static int fingerprint_clear(Fingerprint *self) {
    fp_clear(&self->fp);
    return 0;
}

static void fingerprint_dealloc(Fingerprint *self) {
    PyObject_GC_UnTrack(self);
    fingerprint_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *fingerprint_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    if (kwargs && PyDict_GET_SIZE(kwargs)) {
        PyErr_SetString(PyExc_TypeError, "Fingerprint() takes no keyword arguments");
        return NULL;
    }
    Fingerprint *self = (Fingerprint *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(args); i++)
        if (fp_add(&self->fp, PyTuple_GET_ITEM(args, i), 0) < 0) {
            Py_DECREF(self);
            return NULL;
        }
    return (PyObject *)self;
}

static PyObject *fingerprint_changed(Fingerprint *self, PyObject *unused) {
    (void)unused;
    return PyBool_FromLong(!fp_unchanged(&self->fp));
}

static PyMethodDef fingerprint_methods[] = {
    {"changed", (PyCFunction)fingerprint_changed, METH_NOARGS, "Was any recorded tree edited since?"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject FingerprintType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "growthbook_native._speedups.Fingerprint",
    .tp_basicsize = sizeof(Fingerprint),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Fingerprint(*roots): the identities (and dict versions) of every dict, list and tuple "
              "in the roots, to tell an edit in place; .changed() compares them again.",
    .tp_new = fingerprint_new,
    .tp_dealloc = (destructor)fingerprint_dealloc,
    .tp_traverse = (traverseproc)fingerprint_traverse,
    .tp_clear = (inquiry)fingerprint_clear,
    .tp_methods = fingerprint_methods,
};

/* ---------------------------------------------------------------------------------------
 * Core
 * ------------------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    void *h;           /* the gb_handle *, or NULL */
    PyObject *hp;      /* the _Handle that owns h (frees it when its last reference goes) */
    PyObject *sent;    /* bytes: the attributes JSON the handle holds, when known */
    PyObject *attributes_value; /* the caller's attributes, as given (get_attributes) */
    PyObject *user_value;       /* the deprecated `user` */
    fingerprint fp;    /* of the attributes and user the handle was given */
} Core;

static int core_traverse(Core *self, visitproc visit, void *arg) {
    Py_VISIT(self->hp);
    Py_VISIT(self->sent);
    Py_VISIT(self->attributes_value);
    Py_VISIT(self->user_value);
    for (Py_ssize_t i = 0; i < self->fp.n; i++)
        Py_VISIT(self->fp.e[i].obj);
    return 0;
}

static int core_clear(Core *self) {
    self->h = NULL;
    Py_CLEAR(self->hp);
    Py_CLEAR(self->sent);
    Py_CLEAR(self->attributes_value);
    Py_CLEAR(self->user_value);
    fp_clear(&self->fp);
    return 0;
}

static void core_dealloc(Core *self) {
    PyObject_GC_UnTrack(self);
    core_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *core_get_hp(Core *self, void *closure) {
    (void)closure;
    PyObject *hp = self->hp ? self->hp : Py_None;
    Py_INCREF(hp);
    return hp;
}

/* Setting _hp (a _Handle, a ctypes c_void_p, or None) sets the C field from its value. A new
 * handle holds attributes this instance has not recorded yet: the fingerprint and the last
 * JSON sent are forgotten (growthbook.py records them once the handle has its attributes). */
static int core_set_hp(Core *self, PyObject *value, void *closure) {
    (void)closure;
    void *h = NULL;
    if (value == NULL)
        value = Py_None;
    if (value != Py_None) {
        PyObject *address = PyObject_GetAttr(value, str_value);
        if (!address)
            return -1;
        if (address != Py_None) {
            h = PyLong_AsVoidPtr(address);
            if (!h && PyErr_Occurred()) {
                Py_DECREF(address);
                return -1;
            }
        }
        Py_DECREF(address);
    }
    PyObject *old = self->hp;
    if (value == Py_None) {
        self->hp = NULL;
    } else {
        Py_INCREF(value);
        self->hp = value;
    }
    self->h = h;
    Py_CLEAR(self->sent);
    fp_clear(&self->fp);
    Py_XDECREF(old); /* may free a handle; nothing refers to it any more */
    return 0;
}

static PyObject *core_set_handle(Core *self, PyObject *hp) {
    if (core_set_hp(self, hp, NULL) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyGetSetDef core_getset[] = {
    {"_hp", (getter)core_get_hp, (setter)core_set_hp, "the _Handle of the library handle", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef core_members[] = {
    {"_attributes_value", T_OBJECT, offsetof(Core, attributes_value), 0, "the attributes as given"},
    {"_user_value", T_OBJECT, offsetof(Core, user_value), 0, "the deprecated user as given"},
    {NULL, 0, 0, 0, NULL},
};

/* Arguments: positional or by keyword (code written for growthbook 1.1.0 may name them). */
static int parse_args(const char *fname, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                      const char *const *names, int count, PyObject **out) {
    if (nargs > count) {
        PyErr_Format(PyExc_TypeError, "%s() takes %d argument%s (%zd given)", fname, count, count == 1 ? "" : "s",
                     nargs);
        return -1;
    }
    for (int i = 0; i < count; i++)
        out[i] = i < nargs ? args[i] : NULL;
    if (kwnames) {
        Py_ssize_t nk = PyTuple_GET_SIZE(kwnames);
        for (Py_ssize_t j = 0; j < nk; j++) {
            PyObject *name = PyTuple_GET_ITEM(kwnames, j);
            int found = -1;
            for (int i = 0; i < count; i++)
                if (PyUnicode_CompareWithASCIIString(name, names[i]) == 0)
                    found = i;
            if (found < 0) {
                PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'", fname, name);
                return -1;
            }
            if (out[found]) {
                PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fname, names[found]);
                return -1;
            }
            out[found] = args[nargs + j];
        }
    }
    for (int i = 0; i < count; i++)
        if (!out[i]) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", fname, names[i]);
            return -1;
        }
    return 0;
}

static const char *key_utf8(PyObject *key) {
    if (!PyUnicode_Check(key)) {
        PyErr_Format(PyExc_TypeError, "feature key must be a str, not %s", Py_TYPE(key)->tp_name);
        return NULL;
    }
    return PyUnicode_AsUTF8AndSize(key, NULL);
}

static int check_bound(void) {
    if (!bound) {
        PyErr_SetString(PyExc_RuntimeError, "growthbook_native._speedups: bind() was not called");
        return -1;
    }
    return 0;
}

/* Before an evaluation: attributes edited in place since they were sent are sent again. */
static inline int sync_attributes(Core *self) {
    if (self->fp.n == 0 || fp_unchanged(&self->fp))
        return 0;
    PyObject *r = PyObject_CallMethodNoArgs((PyObject *)self, str_resync);
    if (!r)
        return -1;
    Py_DECREF(r);
    return 0;
}

/* After a failed call (rc < 0): self._fail() revives a destroyed instance (then the call is
 * made once more) or raises the library's error. A second failure raises that error. */
/* Raises the thread's last library error (_lib.error()); returns -1. */
static int raise_library_error(void) {
    PyObject *e = PyObject_CallNoArgs(lib_error);
    if (e) {
        PyErr_SetObject((PyObject *)Py_TYPE(e), e);
        Py_DECREF(e);
    }
    return -1;
}

static int handle_failure(Core *self, int attempt) {
    PyObject *r = PyObject_CallMethodNoArgs((PyObject *)self, str_fail);
    if (!r)
        return -1;
    Py_DECREF(r);
    if (attempt == 0)
        return 0;
    return raise_library_error();
}

static PyObject *key_call(Core *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                          const char *fname, key_fn fn) {
    static const char *const names[] = {"key"};
    PyObject *key;
    if (check_bound() < 0 || parse_args(fname, args, nargs, kwnames, names, 1, &key) < 0)
        return NULL;
    const char *k = key_utf8(key);
    if (!k || sync_attributes(self) < 0)
        return NULL;
    for (int attempt = 0;; attempt++) {
        PyObject *owner = self->hp; /* keeps the handle alive for the call (see the top) */
        Py_XINCREF(owner);
        int rc = fn(self->h, k);
        Py_XDECREF(owner);
        if (rc >= 0)
            return PyBool_FromLong(rc == 1);
        if (handle_failure(self, attempt) < 0)
            return NULL;
    }
}

static PyObject *core_is_on(Core *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    return key_call(self, args, nargs, kwnames, "is_on", lib.is_on);
}

static PyObject *core_is_off(Core *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    return key_call(self, args, nargs, kwnames, "is_off", lib.is_off);
}

/* ---------------------------------------------------------------------------------------
 * JSON reader: json.loads for the JSON text the library writes for values (compact; strings
 * as UTF-8 with the escapes JSON requires; numbers as Python's repr writes them), a few times
 * faster than json.loads on the small values feature flags carry. Anything it does not read
 * exactly as json.loads would (a lone surrogate escape, NaN, text it does not expect) makes
 * the whole value go through json.loads itself.
 * ------------------------------------------------------------------------------------- */

#define R_UNSUPPORTED ((PyObject *)1) /* not an error: the caller falls back to json.loads */

typedef struct {
    const char *p, *end;
} jreader;

static PyObject *read_value(jreader *r, int depth);

static void read_space(jreader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        r->p++;
}

static int hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static PyObject *read_string(jreader *r) {
    const char *start = ++r->p; /* after the quote */
    const char *q = start;
    while (q < r->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
        q++;
    if (q < r->end && *q == '"') {
        r->p = q + 1;
        PyObject *s = PyUnicode_DecodeUTF8(start, q - start, NULL);
        if (!s) {
            PyErr_Clear();
            return R_UNSUPPORTED;
        }
        return s;
    }
    /* escapes: decoded into a buffer of UTF-8 (never longer than the text) */
    char stack[256];
    size_t cap = (size_t)(r->end - start);
    char *buf = cap <= sizeof stack ? stack : PyMem_Malloc(cap);
    if (!buf)
        return PyErr_NoMemory();
    size_t n = 0;
    PyObject *result = R_UNSUPPORTED;
    const char *p = start;
    while (p < r->end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            r->p = p + 1;
            result = PyUnicode_DecodeUTF8(buf, (Py_ssize_t)n, NULL);
            if (!result) {
                PyErr_Clear();
                result = R_UNSUPPORTED;
            }
            break;
        }
        if (c < 0x20)
            break;
        if (c != '\\') {
            buf[n++] = (char)c;
            p++;
            continue;
        }
        if (r->end - p < 2)
            break;
        char e = p[1];
        p += 2;
        char plain = e == '"' ? '"' : e == '\\' ? '\\' : e == '/' ? '/' : e == 'b' ? '\b' : e == 'f' ? '\f'
                     : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : 0;
        if (plain) {
            buf[n++] = plain;
            continue;
        }
        unsigned u;
        if (e != 'u' || r->end - p < 4 || hex4(p, &u) < 0 || (u >= 0xd800 && u < 0xe000))
            break; /* surrogates (pairs or lone): json.loads's own handling */
        p += 4;
        /* a code point below 0x10000 in UTF-8: at most 3 bytes, as its escape took 6 */
        if (u < 0x80) {
            buf[n++] = (char)u;
        } else if (u < 0x800) {
            buf[n++] = (char)(0xc0 | (u >> 6));
            buf[n++] = (char)(0x80 | (u & 0x3f));
        } else {
            buf[n++] = (char)(0xe0 | (u >> 12));
            buf[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
            buf[n++] = (char)(0x80 | (u & 0x3f));
        }
    }
    if (buf != stack)
        PyMem_Free(buf);
    return result;
}

static int is_digit(const char *p, const char *end) { return p < end && *p >= '0' && *p <= '9'; }

/* A number as JSON writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static PyObject *read_number(jreader *r) {
    const char *start = r->p, *p = r->p, *end = r->end;
    int integer = 1;
    if (p < end && *p == '-')
        p++;
    if (!is_digit(p, end))
        return R_UNSUPPORTED; /* -Infinity and the like */
    if (*p == '0') {
        p++;
        if (is_digit(p, end))
            return R_UNSUPPORTED; /* a leading zero: json.loads's error */
    } else {
        while (is_digit(p, end))
            p++;
    }
    if (p < end && *p == '.') {
        integer = 0;
        p++;
        if (!is_digit(p, end))
            return R_UNSUPPORTED;
        while (is_digit(p, end))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        integer = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (!is_digit(p, end))
            return R_UNSUPPORTED;
        while (is_digit(p, end))
            p++;
    }
    size_t n = (size_t)(p - start);
    char text[64];
    if (n >= sizeof text)
        return R_UNSUPPORTED; /* long literals (big integers): json.loads */
    memcpy(text, start, n);
    text[n] = 0;
    r->p = p;
    if (integer) {
        if (n <= 18) { /* fits in a long long */
            long long v = 0;
            const char *d = text + (text[0] == '-');
            for (; *d; d++)
                v = v * 10 + (*d - '0');
            return PyLong_FromLongLong(text[0] == '-' ? -v : v);
        }
        return PyLong_FromString(text, NULL, 10);
    }
    char *endp = NULL;
    /* float(text), as json.loads reads a number with a fraction or an exponent */
    double d = PyOS_string_to_double(text, &endp, NULL);
    if (d == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        return R_UNSUPPORTED;
    }
    if (!endp || *endp)
        return R_UNSUPPORTED;
    return PyFloat_FromDouble(d);
}

/* Takes r's next value; returns it, R_UNSUPPORTED, or NULL with an exception set. */
static PyObject *read_value(jreader *r, int depth) {
    read_space(r);
    if (r->p >= r->end || depth > MAX_DEPTH)
        return R_UNSUPPORTED;
    char c = *r->p;
    if (c == '"')
        return read_string(r);
    if (c == '{' || c == '[') {
        int object = c == '{';
        PyObject *out = object ? PyDict_New() : PyList_New(0);
        if (!out)
            return NULL;
        r->p++;
        read_space(r);
        if (r->p < r->end && *r->p == (object ? '}' : ']')) {
            r->p++;
            return out;
        }
        for (;;) {
            PyObject *key = NULL;
            if (object) {
                read_space(r);
                key = r->p < r->end && *r->p == '"' ? read_string(r) : R_UNSUPPORTED;
                if (key == NULL || key == R_UNSUPPORTED) {
                    Py_DECREF(out);
                    return key;
                }
                read_space(r);
                if (r->p >= r->end || *r->p != ':') {
                    Py_DECREF(key);
                    Py_DECREF(out);
                    return R_UNSUPPORTED;
                }
                r->p++;
            }
            PyObject *item = read_value(r, depth + 1);
            if (item == NULL || item == R_UNSUPPORTED) {
                Py_XDECREF(key);
                Py_DECREF(out);
                return item;
            }
            int rc = object ? PyDict_SetItem(out, key, item) : PyList_Append(out, item);
            Py_XDECREF(key);
            Py_DECREF(item);
            if (rc < 0) {
                Py_DECREF(out);
                return NULL;
            }
            read_space(r);
            if (r->p < r->end && *r->p == ',') {
                r->p++;
                continue;
            }
            if (r->p < r->end && *r->p == (object ? '}' : ']')) {
                r->p++;
                return out;
            }
            Py_DECREF(out);
            return R_UNSUPPORTED;
        }
    }
    size_t left = (size_t)(r->end - r->p);
    if (c == 't' && left >= 4 && memcmp(r->p, "true", 4) == 0) {
        r->p += 4;
        Py_RETURN_TRUE;
    }
    if (c == 'f' && left >= 5 && memcmp(r->p, "false", 5) == 0) {
        r->p += 5;
        Py_RETURN_FALSE;
    }
    if (c == 'n' && left >= 4 && memcmp(r->p, "null", 4) == 0) {
        r->p += 4;
        Py_RETURN_NONE;
    }
    return read_number(r);
}

/* json.loads(text[:n]) */
static PyObject *loads_text(const char *text, size_t n) {
    jreader r = {text, text + n};
    PyObject *v = read_value(&r, 0);
    if (v && v != R_UNSUPPORTED) {
        read_space(&r);
        if (r.p == r.end)
            return v;
        Py_DECREF(v);
        v = R_UNSUPPORTED;
    }
    if (v == R_UNSUPPORTED) {
        PyObject *raw = PyBytes_FromStringAndSize(text, (Py_ssize_t)n);
        if (!raw)
            return NULL;
        v = PyObject_CallOneArg(json_loads, raw);
        Py_DECREF(raw);
    }
    return v;
}

/* The value of type t (GB_VALUE_INT and up) in v, as growthbook.py's _value_in reads it. */
static PyObject *value_in(int t, const gbx_value *v) {
    const char *text = v->text;
    if (!text) {
        if (v->length) {
            PyErr_SetString(PyExc_SystemError, "growthbook_native: gb_value without text");
            return NULL;
        }
        text = "";
    }
    if (t == V_INT)
        return PyLong_FromLongLong(v->integer);
    if (t == V_DOUBLE) {
        if (!v->length)
            return PyFloat_FromDouble(v->number);
        /* an integer beyond 64 bits, with its literal: int(literal), exact as json reads it */
        PyObject *literal = PyBytes_FromStringAndSize(text, (Py_ssize_t)v->length);
        if (!literal)
            return NULL;
        PyObject *r = PyObject_CallOneArg((PyObject *)&PyLong_Type, literal);
        Py_DECREF(literal);
        return r;
    }
    if (t == V_STRING)
        return PyUnicode_DecodeUTF8(text, (Py_ssize_t)v->length, NULL);
    return loads_text(text, v->length);
}

static PyObject *summary_value(int rc, const gbx_value *v) {
    int t = rc & SUMMARY_TYPE_MASK;
    switch (t) {
    case V_NULL: Py_RETURN_NONE;
    case V_FALSE: Py_RETURN_FALSE;
    case V_TRUE: Py_RETURN_TRUE;
    default: return value_in(t, v);
    }
}

/* One evaluation into a scratch buffer, with the failure path; returns the summary or -1 with
 * an exception set. The scratch is released by the caller once it has read the result. */
static int evaluate(Core *self, const char *k, eval_fn fn, scratch *s) {
    for (int attempt = 0;; attempt++) {
        if (scratch_acquire(s) < 0)
            return -1;
        PyObject *owner = self->hp;
        Py_XINCREF(owner);
        int rc = fn(self->h, k, s->buffer);
        if (rc >= 0) {
            /* the buffer is ours alone (it is not the handle's), so owner may go now */
            Py_XDECREF(owner);
            return rc;
        }
        scratch_release(s);
        Py_XDECREF(owner);
        if (handle_failure(self, attempt) < 0)
            return -1;
    }
}

static PyObject *core_get_feature_value(Core *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    static const char *const names[] = {"key", "fallback"};
    PyObject *a[2];
    if (check_bound() < 0 || parse_args("get_feature_value", args, nargs, kwnames, names, 2, a) < 0)
        return NULL;
    const char *k = key_utf8(a[0]);
    if (!k || sync_attributes(self) < 0)
        return NULL;
    scratch s;
    int rc = evaluate(self, k, lib.eval_value, &s);
    if (rc < 0)
        return NULL;
    PyObject *value = summary_value(rc, s.value);
    scratch_release(&s);
    if (value == Py_None) {
        Py_DECREF(value);
        Py_INCREF(a[1]);
        return a[1];
    }
    return value;
}

#define SLOT(obj, i) (*(PyObject **)((char *)(obj) + result_offsets[i]))

/* The FeatureResult of summary rc and value v (growthbook.py's _feature_result). */
static PyObject *feature_result(int rc, const gbx_value *v) {
    int source = (rc >> SUMMARY_SOURCE_SHIFT) & SUMMARY_SOURCE_MASK;
    PyObject *value = summary_value(rc, v);
    PyObject *source_name = value ? PyTuple_GetItem(sources, source) : NULL;
    PyObject *rule_id = Py_None, *raw = Py_None;
    Py_INCREF(rule_id);
    Py_INCREF(raw);
    if (source_name && (source == S_FORCE || source == S_EXPERIMENT)) { /* a rule decided */
        size_t n = v->rule_id_length;
        if (n && v->text) {
            Py_SETREF(rule_id, PyUnicode_DecodeUTF8(v->text + v->length + 1, (Py_ssize_t)n, NULL));
        }
        if (rule_id && source == S_EXPERIMENT && v->text) /* decoded when read (models.py) */
            Py_SETREF(raw, PyBytes_FromStringAndSize(v->text + v->length + n + 2, (Py_ssize_t)v->result_length));
    }
    PyObject *r = NULL;
    if (value && source_name && rule_id && raw)
        r = feature_result_type->tp_alloc(feature_result_type, 0);
    if (!r) {
        Py_XDECREF(value);
        Py_XDECREF(rule_id);
        Py_XDECREF(raw);
        return NULL;
    }
    /* fresh from tp_alloc: every slot is NULL, nothing to release */
    int on = (rc & SUMMARY_ON) != 0;
    SLOT(r, R_VALUE) = value;
    Py_INCREF(source_name);
    SLOT(r, R_SOURCE) = source_name;
    SLOT(r, R_ON) = PyBool_FromLong(on);
    SLOT(r, R_OFF) = PyBool_FromLong(!on);
    SLOT(r, R_RULE_ID) = rule_id;
    Py_INCREF(Py_None);
    SLOT(r, R_EXPERIMENT) = Py_None;
    Py_INCREF(Py_None);
    SLOT(r, R_EXPERIMENT_RESULT) = Py_None;
    SLOT(r, R_RAW) = raw;
    return r;
}

static PyObject *core_eval_feature(Core *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    static const char *const names[] = {"key"};
    PyObject *key;
    if (check_bound() < 0 || parse_args("eval_feature", args, nargs, kwnames, names, 1, &key) < 0)
        return NULL;
    const char *k = key_utf8(key);
    if (!k || sync_attributes(self) < 0)
        return NULL;
    scratch s;
    int rc = evaluate(self, k, lib.eval_result, &s);
    if (rc < 0)
        return NULL;
    PyObject *r = feature_result(rc, s.value);
    scratch_release(&s);
    return r;
}

/* ---------------------------------------------------------------------------------------
 * Attributes built from Python values (gb_attributes_builder), with no JSON text between: for
 * the JSON writer's types exactly (anything else, or anything the builder refuses, makes the
 * caller write JSON instead, so errors and edge cases stay those of the JSON path). One
 * builder per thread; nothing here runs Python code, so no other use of it can interleave.
 * ------------------------------------------------------------------------------------- */

static pthread_key_t builder_key;
static _Thread_local void *tls_builder;

static void free_thread_builder(void *b) {
    if (b && lib.builder_free)
        lib.builder_free(b);
}

/* 0: built; 1 (W_UNSUPPORTED): not for the builder; -1: an exception is set. */
static int build_value(void *b, PyObject *v, int depth);

static int build_str(void *b, PyObject *s, int key) {
    Py_ssize_t n;
    const char *u = PyUnicode_AsUTF8AndSize(s, &n); /* ASCII: the string's own bytes */
    if (!u) {
        PyErr_Clear(); /* a lone surrogate: the JSON path reports it as the library sees it */
        return W_UNSUPPORTED;
    }
    return (key ? lib.builder_key(b, u, (size_t)n) : lib.builder_string(b, u, (size_t)n)) == 0 ? 0 : W_UNSUPPORTED;
}

static int build_members(void *b, PyObject *d, int depth) {
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(d, &pos, &k, &v)) {
        if (!PyUnicode_CheckExact(k))
            return W_UNSUPPORTED;
        int rc = build_str(b, k, 1);
        if (rc == 0)
            rc = build_value(b, v, depth + 1);
        if (rc)
            return rc;
    }
    return 0;
}

static int build_value(void *b, PyObject *v, int depth) {
    if (depth > MAX_DEPTH)
        return W_UNSUPPORTED;
    if (v == Py_None)
        return lib.builder_null(b) == 0 ? 0 : W_UNSUPPORTED;
    if (v == Py_True || v == Py_False)
        return lib.builder_bool(b, v == Py_True) == 0 ? 0 : W_UNSUPPORTED;
    if (PyUnicode_CheckExact(v))
        return build_str(b, v, 0);
    if (PyLong_CheckExact(v)) {
        int overflow = 0;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (x == -1 && PyErr_Occurred())
            return -1;
        if (!overflow)
            return lib.builder_int(b, (int64_t)x) == 0 ? 0 : W_UNSUPPORTED;
        PyObject *s = PyLong_Type.tp_repr(v); /* raises past sys.get_int_max_str_digits, as json does */
        if (!s)
            return -1;
        Py_ssize_t n;
        const char *u = PyUnicode_AsUTF8AndSize(s, &n);
        int rc = !u ? -1 : lib.builder_integer_literal(b, u, (size_t)n) == 0 ? 0 : W_UNSUPPORTED;
        Py_DECREF(s);
        return rc;
    }
    if (PyFloat_CheckExact(v)) {
        double d = PyFloat_AS_DOUBLE(v);
        return isfinite(d) && lib.builder_double(b, d) == 0 ? 0 : W_UNSUPPORTED;
    }
    if (PyDict_CheckExact(v)) {
        if (lib.builder_begin_object(b) != 0)
            return W_UNSUPPORTED;
        int rc = build_members(b, v, depth);
        return rc ? rc : lib.builder_end_object(b) == 0 ? 0 : W_UNSUPPORTED;
    }
    if (PyList_CheckExact(v) || PyTuple_CheckExact(v)) {
        if (lib.builder_begin_array(b) != 0)
            return W_UNSUPPORTED;
        int list = PyList_CheckExact(v);
        Py_ssize_t n = list ? PyList_GET_SIZE(v) : PyTuple_GET_SIZE(v);
        for (Py_ssize_t i = 0; i < n; i++) {
            int rc = build_value(b, list ? PyList_GET_ITEM(v, i) : PyTuple_GET_ITEM(v, i), depth + 1);
            if (rc)
                return rc;
        }
        return lib.builder_end_array(b) == 0 ? 0 : W_UNSUPPORTED;
    }
    return W_UNSUPPORTED;
}

/* The attributes of the dict `d` (an exact dict with str keys), built: a new gb_attributes; or
 * NULL, with an exception set on an error, without one for values the JSON path is to take. */
static void *build_attributes(PyObject *d) {
    if (!PyDict_CheckExact(d))
        return NULL;
    void *b = tls_builder;
    if (!b) {
        if (!(b = lib.builder_create()))
            return NULL;
        if (pthread_setspecific(builder_key, b) != 0) {
            lib.builder_free(b);
            return NULL; /* the JSON path, then */
        }
        tls_builder = b;
    }
    int rc = build_members(b, d, 0);
    void *attrs = rc == 0 ? lib.builder_finish(b) : NULL;
    if (!attrs) { /* the builder holds part of these attributes: a fresh one next time */
        pthread_setspecific(builder_key, NULL);
        tls_builder = NULL;
        lib.builder_free(b);
    }
    return attrs;
}

/* A gb_attributes owned by a Python object (freed with it): what attributes_build and
 * attributes_create return, and what the client's calls take without a ctypes conversion.
 * `.value` is the address (as a ctypes c_void_p's), for the ctypes calls. */
typedef struct {
    PyObject_HEAD
    void *p;
} AttributesObject;

static void attributes_dealloc(AttributesObject *self) {
    if (self->p && lib.attributes_free)
        lib.attributes_free(self->p);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *attributes_value(AttributesObject *self, void *closure) {
    (void)closure;
    return PyLong_FromVoidPtr(self->p);
}

static PyGetSetDef attributes_getset[] = {
    {"value", (getter)attributes_value, NULL, "the gb_attributes address", NULL},
    {"_as_parameter_", (getter)attributes_value, NULL, "the address, for ctypes calls", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject AttributesType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "growthbook_native._speedups.Attributes",
    .tp_doc = "A gb_attributes, freed with this object.",
    .tp_basicsize = sizeof(AttributesObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)attributes_dealloc,
    .tp_getset = attributes_getset,
};

/* A new Attributes owning p (freed here when the object cannot be made). */
static PyObject *attributes_object(void *p) {
    AttributesObject *o = PyObject_New(AttributesObject, &AttributesType);
    if (!o) {
        lib.attributes_free(p);
        return NULL;
    }
    o->p = p;
    return (PyObject *)o;
}

static PyObject *mod_attributes_build(PyObject *module, PyObject *d) {
    (void)module;
    if (check_bound() < 0)
        return NULL;
    void *attrs = build_attributes(d);
    if (!attrs && PyErr_Occurred())
        return NULL;
    if (!attrs) /* the JSON path */
        Py_RETURN_NONE;
    return attributes_object(attrs);
}

/* The JSON the library is sent for (attributes, user): growthbook._merge_user's result. */
static PyObject *merged_json(PyObject *attributes, PyObject *user) {
    int user_given = user ? PyObject_IsTrue(user) : 0;
    if (user_given < 0)
        return NULL;
    if (user_given) {
        PyObject *merged = PyObject_CallFunctionObjArgs(merge_user, attributes, user, NULL);
        if (!merged)
            return NULL;
        PyObject *json = dumps_bytes(merged);
        Py_DECREF(merged);
        return json;
    }
    int given = PyObject_IsTrue(attributes);
    if (given < 0)
        return NULL;
    return given ? dumps_bytes(attributes) : PyBytes_FromStringAndSize("{}", 2);
}

/* Records what the handle now holds: the fingerprint of attributes and user, and its JSON. */
static int record(Core *self, PyObject *attributes, PyObject *user, PyObject *json) {
    fingerprint f = {NULL, 0, 0};
    if (fp_add(&f, attributes, 0) < 0 || (user && fp_add(&f, user, 0) < 0)) {
        fp_clear(&f);
        return -1;
    }
    fingerprint old = self->fp;
    self->fp = f;
    Py_XINCREF(json);
    Py_XSETREF(self->sent, json);
    fp_clear(&old);
    return 0;
}

/* Sends attributes (with user filling gaps) to the handle unless it holds that JSON already,
 * then records them. Raises, changing nothing, when the library rejects them. */
static int send_attributes(Core *self, PyObject *attributes, PyObject *user) {
    if (!self->h)
        return 0; /* no handle yet: _open sends them */
    if (!user || user == Py_None || (PyDict_CheckExact(user) && PyDict_GET_SIZE(user) == 0)) {
        /* no deprecated user to merge: the attributes built as they are, without JSON (the
         * library keeps its state when they equal what it holds) */
        PyObject *a = attributes == Py_None ? NULL : attributes;
        void *attrs = a ? build_attributes(a) : NULL;
        if (attrs) {
            PyObject *owner = self->hp; /* a sticky bucket service may run Python meanwhile */
            Py_XINCREF(owner);
            int rc = lib.set_attributes(self->h, attrs);
            Py_XDECREF(owner);
            lib.attributes_free(attrs);
            if (rc < 0)
                return raise_library_error();
            return record(self, attributes, user, NULL);
        }
        if (PyErr_Occurred())
            return -1;
    }
    PyObject *json = merged_json(attributes, user);
    if (!json)
        return -1;
    if (!self->sent || !PyBytes_CheckExact(self->sent) || PyBytes_GET_SIZE(self->sent) != PyBytes_GET_SIZE(json) ||
        memcmp(PyBytes_AS_STRING(self->sent), PyBytes_AS_STRING(json), (size_t)PyBytes_GET_SIZE(json)) != 0) {
        PyObject *owner = self->hp; /* a sticky bucket service may run Python meanwhile */
        Py_XINCREF(owner);
        int rc = lib.set_attributes_json(self->h, PyBytes_AS_STRING(json));
        Py_XDECREF(owner);
        if (rc < 0) {
            Py_DECREF(json);
            return raise_library_error();
        }
    }
    int rc = record(self, attributes, user, json);
    Py_DECREF(json);
    return rc;
}

static PyObject *core_send_attributes(Core *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    static const char *const names[] = {"attributes", "user"};
    PyObject *a[2];
    if (check_bound() < 0 || parse_args("_send_attributes", args, nargs, kwnames, names, 2, a) < 0)
        return NULL;
    if (send_attributes(self, a[0], a[1]) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *core_set_attributes(Core *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    static const char *const names[] = {"attributes"};
    PyObject *attributes;
    if (check_bound() < 0 || parse_args("set_attributes", args, nargs, kwnames, names, 1, &attributes) < 0)
        return NULL;
    if (!self->h) /* destroyed: growthbook.py makes the handle again first */
        return PyObject_CallMethodOneArg((PyObject *)self, str_set_attributes_slow, attributes);
    PyObject *user = self->user_value ? self->user_value : NULL;
    if (send_attributes(self, attributes, user) < 0)
        return NULL;
    Py_INCREF(attributes);
    Py_XSETREF(self->attributes_value, attributes);
    Py_RETURN_NONE;
}

/* _fp_record(attributes, user, json): after the handle was given these attributes (gb_create). */
static PyObject *core_fp_record(Core *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    static const char *const names[] = {"attributes", "user", "json"};
    PyObject *a[3];
    if (parse_args("_fp_record", args, nargs, kwnames, names, 3, a) < 0)
        return NULL;
    if (a[2] != Py_None && !PyBytes_CheckExact(a[2])) {
        PyErr_SetString(PyExc_TypeError, "_fp_record: json must be bytes or None");
        return NULL;
    }
    if (record(self, a[0], a[1] == Py_None ? NULL : a[1], a[2] == Py_None ? NULL : a[2]) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* _set_features_from(source): gb_set_features_from(self's handle, source's), raising the
 * library's error. (Not for a destroyed instance: growthbook.py makes its handle first.) */
static int address_of(PyObject *o, void **out);

static PyObject *core_set_features_from(Core *self, PyObject *source) {
    void *src;
    if (check_bound() < 0 || address_of(source, &src) < 0)
        return NULL;
    PyObject *owner = self->hp;
    Py_XINCREF(owner);
    int rc = lib.set_features_from(self->h, src);
    Py_XDECREF(owner);
    if (rc < 0) {
        raise_library_error();
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *core_fp_changed(Core *self, PyObject *unused) {
    (void)unused;
    return PyBool_FromLong(self->fp.n && !fp_unchanged(&self->fp));
}

#define FAST(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL | METH_KEYWORDS

static PyMethodDef core_methods[] = {
    {"is_on", FAST(core_is_on), "Is the feature on?"},
    {"isOn", FAST(core_is_on), "is_on (deprecated name)"},
    {"is_off", FAST(core_is_off), "Is the feature off?"},
    {"isOff", FAST(core_is_off), "is_off (deprecated name)"},
    {"get_feature_value", FAST(core_get_feature_value), "The feature's value, or fallback when it is None."},
    {"getFeatureValue", FAST(core_get_feature_value), "get_feature_value (deprecated name)"},
    {"eval_feature", FAST(core_eval_feature), "The feature's FeatureResult."},
    {"evalFeature", FAST(core_eval_feature), "eval_feature (deprecated name)"},
    {"set_attributes", FAST(core_set_attributes), "Replaces the attributes (kept as given)."},
    {"setAttributes", FAST(core_set_attributes), "set_attributes (deprecated name)"},
    {"_send_attributes", FAST(core_send_attributes), "Sends attributes and user to the handle and records them."},
    {"_fp_record", FAST(core_fp_record), "Records attributes, user and their JSON as the handle's."},
    {"_fp_changed", (PyCFunction)core_fp_changed, METH_NOARGS, "Were the recorded attributes edited since?"},
    {"_set_handle", (PyCFunction)core_set_handle, METH_O, "Sets _hp (a _Handle or None)."},
    {"_set_features_from", (PyCFunction)core_set_features_from, METH_O,
     "gb_set_features_from(this instance's handle, source's handle)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject CoreType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "growthbook_native._speedups.Core",
    .tp_doc = "The C base of GrowthBook: its handle and its evaluation calls.",
    .tp_basicsize = sizeof(Core),
    .tp_itemsize = 0,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_new = PyType_GenericNew,
    .tp_dealloc = (destructor)core_dealloc,
    .tp_traverse = (traverseproc)core_traverse,
    .tp_clear = (inquiry)core_clear,
    .tp_methods = core_methods,
    .tp_members = core_members,
    .tp_getset = core_getset,
};

/* ---------------------------------------------------------------------------------------
 * The multi-user client's calls (client.py): a handle and per-call attributes, each given as
 * the ctypes object that owns it (a _Handle, an _Attributes: c_void_p), which the caller holds
 * for the call. A library error returns FAILED (the caller's slow path reads the error).
 * ------------------------------------------------------------------------------------- */

static PyObject *failed; /* the FAILED sentinel */

/* The address a c_void_p (or None) holds. */
static int address_of(PyObject *o, void **out) {
    *out = NULL;
    if (o == Py_None)
        return 0;
    PyObject *a = PyObject_GetAttr(o, str_value);
    if (!a)
        return -1;
    if (a != Py_None) {
        *out = PyLong_AsVoidPtr(a);
        if (!*out && PyErr_Occurred()) {
            Py_DECREF(a);
            return -1;
        }
    }
    Py_DECREF(a);
    return 0;
}

/* Arguments (handle, key, attributes), exactly three, positional. */
static int with_args(PyObject *const *args, Py_ssize_t nargs, const char *fname, void **h, const char **k,
                     void **attrs) {
    if (nargs != 3) {
        PyErr_Format(PyExc_TypeError, "%s() takes 3 arguments (%zd given)", fname, nargs);
        return -1;
    }
    if (check_bound() < 0 || address_of(args[0], h) < 0)
        return -1;
    if (Py_IS_TYPE(args[2], &AttributesType))
        *attrs = ((AttributesObject *)args[2])->p;
    else if (address_of(args[2], attrs) < 0)
        return -1;
    *k = key_utf8(args[1]);
    return *k ? 0 : -1;
}

static PyObject *mod_is_on_with(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    void *h, *attrs;
    const char *k;
    if (with_args(args, nargs, "is_on_with", &h, &k, &attrs) < 0)
        return NULL;
    int rc = lib.is_on_with(h, k, attrs);
    if (rc < 0) {
        Py_INCREF(failed);
        return failed;
    }
    return PyBool_FromLong(rc == 1);
}

/* value_with: the value (None for null); result_with: the FeatureResult. */
static PyObject *eval_with(PyObject *const *args, Py_ssize_t nargs, const char *fname, int with_result) {
    void *h, *attrs;
    const char *k;
    if (with_args(args, nargs, fname, &h, &k, &attrs) < 0)
        return NULL;
    scratch s;
    if (scratch_acquire(&s) < 0)
        return NULL;
    int rc = lib.eval_with(h, k, attrs, with_result, s.buffer);
    PyObject *r;
    if (rc < 0) {
        Py_INCREF(failed);
        r = failed;
    } else {
        r = with_result ? feature_result(rc, s.value) : summary_value(rc, s.value);
    }
    scratch_release(&s);
    return r;
}

static PyObject *mod_value_with(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    return eval_with(args, nargs, "value_with", 0);
}

static PyObject *mod_result_with(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    return eval_with(args, nargs, "result_with", 1);
}

static PyObject *mod_loads(PyObject *module, PyObject *text) {
    (void)module;
    if (check_bound() < 0)
        return NULL;
    if (!PyBytes_Check(text))
        return PyErr_Format(PyExc_TypeError, "loads() takes bytes, not %s", Py_TYPE(text)->tp_name);
    return loads_text(PyBytes_AS_STRING(text), (size_t)PyBytes_GET_SIZE(text));
}

/* attributes_create(json: bytes): the gb_attributes address, 0 on a library error. */
static PyObject *mod_attributes_create(PyObject *module, PyObject *json) {
    (void)module;
    if (check_bound() < 0)
        return NULL;
    if (!PyBytes_Check(json))
        return PyErr_Format(PyExc_TypeError, "attributes_create() takes bytes, not %s", Py_TYPE(json)->tp_name);
    void *p = lib.attributes_create(PyBytes_AS_STRING(json));
    if (!p) /* the library's error is the caller's to raise */
        Py_RETURN_NONE;
    return attributes_object(p);
}

/* ---------------------------------------------------------------------------------------
 * Module functions
 * ------------------------------------------------------------------------------------- */

static void *need_symbol(void *dl, const char *name) {
    dlerror();
    void *p = dlsym(dl, name);
    if (!p)
        PyErr_Format(PyExc_ImportError, "growthbook_native._speedups: %s not found in the library", name);
    return p;
}

/* The offset of FeatureResult's slot `name`, from its member descriptor. */
static Py_ssize_t slot_offset(PyTypeObject *type, const char *name) {
    PyObject *d = PyDict_GetItemString(type->tp_dict, name); /* borrowed */
    if (!d || !PyObject_TypeCheck(d, &PyMemberDescr_Type)) {
        PyErr_Format(PyExc_ImportError, "growthbook_native._speedups: %s.%s is not a slot", type->tp_name, name);
        return -1;
    }
    PyMemberDef *m = ((PyMemberDescrObject *)d)->d_member;
    if (!m || m->type != T_OBJECT_EX || (m->flags & READONLY) || m->offset < (Py_ssize_t)sizeof(PyObject) ||
        m->offset > type->tp_basicsize - (Py_ssize_t)sizeof(PyObject *)) {
        PyErr_Format(PyExc_ImportError, "growthbook_native._speedups: %s.%s is not a writable object slot",
                     type->tp_name, name);
        return -1;
    }
    return m->offset;
}

static PyObject *mod_bind(PyObject *module, PyObject *args) {
    (void)module;
    const char *path;
    PyObject *type, *source_names, *loads, *dumps, *error, *merge;
    if (!PyArg_ParseTuple(args, "sO!O!OOOO:bind", &path, &PyType_Type, &type, &PyTuple_Type, &source_names, &loads,
                          &dumps, &error, &merge))
        return NULL;
    if (bound) {
        PyErr_SetString(PyExc_RuntimeError, "growthbook_native._speedups: bind() was called already");
        return NULL;
    }
    PyTypeObject *t = (PyTypeObject *)type;
    if (t->tp_itemsize != 0 || !t->tp_alloc) {
        PyErr_SetString(PyExc_ImportError, "growthbook_native._speedups: FeatureResult has an unexpected layout");
        return NULL;
    }
    for (int i = 0; i < R_COUNT; i++)
        if ((result_offsets[i] = slot_offset(t, result_slots[i])) < 0)
            return NULL;
    /* ctypes loaded this path already: this is the same library, its handles the same */
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        const char *e = dlerror();
        PyErr_Format(PyExc_ImportError, "growthbook_native._speedups: %s", e ? e : path);
        return NULL;
    }
    if (!(lib.is_on = (key_fn)need_symbol(dl, "gb_is_on")) || !(lib.is_off = (key_fn)need_symbol(dl, "gb_is_off")) ||
        !(lib.eval_value = (eval_fn)need_symbol(dl, "gb_eval_value")) ||
        !(lib.eval_result = (eval_fn)need_symbol(dl, "gb_eval_result")) ||
        !(*(void **)&lib.buffer_create = need_symbol(dl, "gb_eval_buffer_create")) ||
        !(*(void **)&lib.buffer_free = need_symbol(dl, "gb_eval_buffer_free")) ||
        !(*(void **)&lib.buffer_value = need_symbol(dl, "gb_eval_buffer_value")) ||
        !(*(void **)&lib.set_attributes_json = need_symbol(dl, "gb_set_attributes_json")) ||
        !(*(void **)&lib.is_on_with = need_symbol(dl, "gb_is_on_with")) ||
        !(*(void **)&lib.eval_with = need_symbol(dl, "gb_eval_with")) ||
        !(*(void **)&lib.attributes_create = need_symbol(dl, "gb_attributes_create")) ||
        !(*(void **)&lib.attributes_free = need_symbol(dl, "gb_attributes_free")) ||
        !(*(void **)&lib.set_attributes = need_symbol(dl, "gb_set_attributes")) ||
        !(*(void **)&lib.set_features_from = need_symbol(dl, "gb_set_features_from")) ||
        !(*(void **)&lib.builder_create = need_symbol(dl, "gb_attributes_builder_create")) ||
        !(*(void **)&lib.builder_free = need_symbol(dl, "gb_attributes_builder_free")) ||
        !(*(void **)&lib.builder_key = need_symbol(dl, "gb_attributes_builder_key")) ||
        !(*(void **)&lib.builder_string = need_symbol(dl, "gb_attributes_builder_string")) ||
        !(*(void **)&lib.builder_int = need_symbol(dl, "gb_attributes_builder_int")) ||
        !(*(void **)&lib.builder_double = need_symbol(dl, "gb_attributes_builder_double")) ||
        !(*(void **)&lib.builder_bool = need_symbol(dl, "gb_attributes_builder_bool")) ||
        !(*(void **)&lib.builder_null = need_symbol(dl, "gb_attributes_builder_null")) ||
        !(*(void **)&lib.builder_integer_literal = need_symbol(dl, "gb_attributes_builder_integer_literal")) ||
        !(*(void **)&lib.builder_begin_array = need_symbol(dl, "gb_attributes_builder_begin_array")) ||
        !(*(void **)&lib.builder_end_array = need_symbol(dl, "gb_attributes_builder_end_array")) ||
        !(*(void **)&lib.builder_begin_object = need_symbol(dl, "gb_attributes_builder_begin_object")) ||
        !(*(void **)&lib.builder_end_object = need_symbol(dl, "gb_attributes_builder_end_object")) ||
        !(*(void **)&lib.builder_finish = need_symbol(dl, "gb_attributes_builder_finish"))) {
        memset(&lib, 0, sizeof lib);
        dlclose(dl);
        return NULL;
    }
    lib.dl = dl; /* never closed: handles and thread buffers outlive any module state */
    Py_INCREF(type);
    feature_result_type = t;
    Py_INCREF(source_names);
    sources = source_names;
    Py_INCREF(loads);
    json_loads = loads;
    Py_INCREF(dumps);
    json_dumps = dumps;
    Py_INCREF(error);
    lib_error = error;
    Py_INCREF(merge);
    merge_user = merge;
    bound = 1;
    Py_RETURN_NONE;
}

static PyObject *mod_dumps(PyObject *module, PyObject *value) {
    (void)module;
    if (!json_dumps) {
        PyErr_SetString(PyExc_RuntimeError, "growthbook_native._speedups: bind() was not called");
        return NULL;
    }
    return dumps_bytes(value);
}

/* The address bind() found for a function (tests compare it with ctypes'). */
static PyObject *mod_address(PyObject *module, PyObject *name) {
    (void)module;
    if (!lib.dl) {
        PyErr_SetString(PyExc_RuntimeError, "growthbook_native._speedups: bind() was not called");
        return NULL;
    }
    const char *s = PyUnicode_AsUTF8(name);
    if (!s)
        return NULL;
    void *p = dlsym(lib.dl, s);
    if (!p)
        return PyErr_Format(PyExc_KeyError, "%s", s);
    return PyLong_FromVoidPtr(p);
}

static PyMethodDef module_methods[] = {
    {"bind", mod_bind, METH_VARARGS,
     "bind(path, FeatureResult, sources, loads, dumps, error, merge_user): load the library at path "
     "(the one ctypes loaded) and what the methods build their results with."},
    {"dumps", mod_dumps, METH_O, "json.dumps(value).encode('utf-8'), written in C for JSON values."},
    {"_address", mod_address, METH_O, "The address of a library function, as bind() loads the library."},
    {"is_on_with", (PyCFunction)(void (*)(void))mod_is_on_with, METH_FASTCALL,
     "is_on_with(handle, key, attributes): gb_is_on_with; FAILED on a library error."},
    {"value_with", (PyCFunction)(void (*)(void))mod_value_with, METH_FASTCALL,
     "value_with(handle, key, attributes): the value (gb_eval_with); FAILED on a library error."},
    {"result_with", (PyCFunction)(void (*)(void))mod_result_with, METH_FASTCALL,
     "result_with(handle, key, attributes): the FeatureResult (gb_eval_with); FAILED on a library error."},
    {"loads", mod_loads, METH_O, "json.loads(text) for the JSON text the library writes (bytes), read in C."},
    {"attributes_build", mod_attributes_build, METH_O,
     "attributes_build(dict): an Attributes built from the dict's values, or None when they are for "
     "the JSON path (attributes_create)."},
    {"attributes_create", mod_attributes_create, METH_O,
     "attributes_create(json): an Attributes parsed from the JSON text, None on a library error."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "growthbook_native._speedups",
    .m_doc = "The compiled accelerator of growthbook_native (optional: growthbook.py falls back to ctypes).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__speedups(void) {
    if (pthread_key_create(&buffer_key, free_thread_buffer) != 0 ||
        pthread_key_create(&builder_key, free_thread_builder) != 0) {
        PyErr_SetString(PyExc_ImportError, "growthbook_native._speedups: pthread_key_create failed");
        return NULL;
    }
    if (!(str_fail = PyUnicode_InternFromString("_fail")) ||
        !(str_resync = PyUnicode_InternFromString("_resync_attributes")) ||
        !(str_set_attributes_slow = PyUnicode_InternFromString("_set_attributes_slow")) ||
        !(str_value = PyUnicode_InternFromString("value")))
        return NULL;
    if (PyType_Ready(&CoreType) < 0 || PyType_Ready(&FingerprintType) < 0 || PyType_Ready(&AttributesType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    Py_INCREF(&CoreType);
    if (PyModule_AddObject(m, "Core", (PyObject *)&CoreType) < 0) {
        Py_DECREF(&CoreType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&FingerprintType);
    if (PyModule_AddObject(m, "Fingerprint", (PyObject *)&FingerprintType) < 0) {
        Py_DECREF(&FingerprintType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&AttributesType);
    if (PyModule_AddObject(m, "Attributes", (PyObject *)&AttributesType) < 0) {
        Py_DECREF(&AttributesType);
        Py_DECREF(m);
        return NULL;
    }
    failed = PyObject_CallNoArgs((PyObject *)&PyBaseObject_Type);
    if (!failed || PyModule_AddObject(m, "FAILED", failed) < 0) {
        Py_XDECREF(failed);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(failed); /* the module's reference went with AddObject; this one is ours */
    return m;
}
