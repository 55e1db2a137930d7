// hiredis for Swift: only its protocol half is used, the command formatter and the reply reader
// (GrowthBookRedis does its own socket I/O: sends that cannot raise SIGPIPE in the host and a
// deadline for a whole operation, neither of which hiredis 0.14's blocking context offers).
#ifndef GB_CHIREDIS_SHIM_H
#define GB_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#endif
