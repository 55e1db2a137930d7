// OpenSSL's libcrypto, for AES-128-CBC decryption of encrypted GrowthBook payloads.
#ifndef GB_CCRYPTO_SHIM_H
#define GB_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/err.h>
#endif
