// PCRE2, for the bounded regex engine of conditions: the 8-bit library (UTF-8 subjects, code
// points) and the 16-bit one (UTF-16 code units, for JavaScript patterns that tell a character
// outside the BMP from its surrogates). Width 0 declares both sets of functions (_8, _16).
#ifndef GB_CPCRE2_SHIM_H
#define GB_CPCRE2_SHIM_H
#define PCRE2_CODE_UNIT_WIDTH 0
#include <pcre2.h>
#endif
