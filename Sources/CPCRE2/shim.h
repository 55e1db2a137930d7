// PCRE2 (8-bit code units: UTF-8), for the bounded regex engine of conditions.
#ifndef GB_CPCRE2_SHIM_H
#define GB_CPCRE2_SHIM_H
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
