#include <windash/store/records.hpp>

#include <openssl/evp.h>

namespace windash::store {

secret_hash hash_secret(std::string_view secret) {
    secret_hash out;
    unsigned int size = 0;
    // EVP_Digest with SHA-256 cannot fail for in-memory input short of allocation failure.
    EVP_Digest(secret.data(), secret.size(), out.bytes.data(), &size, EVP_sha256(), nullptr);
    return out;
}

}  // namespace windash::store
