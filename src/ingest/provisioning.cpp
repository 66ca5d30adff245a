#include <windash/core/sample.hpp>
#include <windash/ingest/provisioning.hpp>

#include <argon2.h>
#include <boost/throw_exception.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace windash::ingest {
namespace {

// OWASP Password Storage Cheat Sheet minimum for Argon2id; the PHC string records them, so
// raising them later leaves old hashes verifiable.
constexpr std::uint32_t argon2_time_cost = 2;
constexpr std::uint32_t argon2_memory_kib = 19 * 1024;
constexpr std::uint32_t argon2_lanes = 1;
constexpr std::size_t argon2_salt_bytes = 16;
constexpr std::size_t argon2_hash_bytes = 32;
constexpr std::size_t token_bytes = 32;
constexpr std::string_view user_code_alphabet = "BCDFGHJKLMNPQRSTVWXZ";  // RFC 8628 §6.1
constexpr std::size_t user_code_length = 8;
constexpr auto provisioning_code_lifetime = std::chrono::minutes(10);

void random_bytes(unsigned char* out, std::size_t n) {
    if (RAND_bytes(out, static_cast<int>(n)) != 1) {
        throw std::runtime_error("OpenSSL RAND_bytes failed: no randomness available");
    }
}

std::string base64url(const unsigned char* data, std::size_t n) {
    std::string out(4 * ((n + 2) / 3), '\0');
    int written =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
    out.resize(static_cast<std::size_t>(written));
    while (!out.empty() && out.back() == '=') out.pop_back();
    std::replace(out.begin(), out.end(), '+', '-');
    std::replace(out.begin(), out.end(), '/', '_');
    return out;
}

// Uniform over the alphabet: bytes past the largest multiple of its size are drawn again.
std::string random_user_code() {
    constexpr unsigned limit = 256 - 256 % user_code_alphabet.size();
    std::string code;
    while (code.size() < user_code_length) {
        unsigned char b = 0;
        random_bytes(&b, 1);
        if (b < limit) code.push_back(user_code_alphabet[b % user_code_alphabet.size()]);
    }
    return code;
}

timestamp now() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
}

provisioning_error invalid(std::string message) {
    return {make_error_code(store::errc::invalid_argument), std::move(message)};
}

provisioning_error failed(boost::system::error_code ec, std::string_view what) {
    return {ec, std::string(what) + ": " + ec.message()};
}

bool plausible_email(std::string_view email) {
    auto at = email.find('@');
    return at != std::string_view::npos && at > 0 && at + 1 < email.size() &&
           email.find('@', at + 1) == std::string_view::npos &&
           email.size() <= account_limits::max_email_length &&
           std::none_of(email.begin(), email.end(), [](char c) {
               return std::isspace(static_cast<unsigned char>(c)) ||
                      std::iscntrl(static_cast<unsigned char>(c));
           });
}

}  // namespace

void throw_exception_from_error(const provisioning_error& e, const boost::source_location& where) {
    boost::throw_exception(boost::system::system_error(e.code, e.message), where);
}

store::result<std::string> hash_password(std::string_view password) {
    std::array<unsigned char, argon2_salt_bytes> salt{};
    random_bytes(salt.data(), salt.size());
    std::string encoded(argon2_encodedlen(argon2_time_cost, argon2_memory_kib, argon2_lanes,
                                          salt.size(), argon2_hash_bytes, Argon2_id),
                        '\0');
    int rc = argon2id_hash_encoded(argon2_time_cost, argon2_memory_kib, argon2_lanes,
                                   password.data(), password.size(), salt.data(), salt.size(),
                                   argon2_hash_bytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) return make_error_code(store::errc::internal);
    encoded.resize(encoded.find('\0'));
    return encoded;
}

std::string normalize_email(std::string_view email) {
    std::string out(email);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool verify_password(std::string_view password, const std::string& phc) {
    return argon2id_verify(phc.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string generate_token() {
    std::array<unsigned char, token_bytes> bytes{};
    random_bytes(bytes.data(), bytes.size());
    return base64url(bytes.data(), bytes.size());
}

provisioning_result<store::user> add_user(store::store& db, std::string_view email,
                                          std::string_view name, std::string_view password) {
    if (!plausible_email(email))
        return invalid("email must look like name@domain, at most 254 characters");
    if (name.empty() || name.size() > account_limits::max_name_length) {
        return invalid("name must be 1 to 256 characters");
    }
    if (password.size() < account_limits::min_password_length ||
        password.size() > account_limits::max_password_length) {
        return invalid("password must be 8 to 256 characters");
    }
    auto hash = hash_password(password);
    if (!hash) return failed(hash.error(), "hashing the password");
    auto u = db.create_user(normalize_email(email), name, *hash, now());
    if (!u && u.error() == store::errc::conflict) {
        return provisioning_error{u.error(), "a user with this email exists already"};
    }
    if (!u) return failed(u.error(), "creating the user");
    return *u;
}

provisioning_result<std::string> add_device(store::store& db, std::string_view email,
                                            std::string_view host_id, std::string_view name) {
    if (!is_valid_host_id(host_id)) return invalid("host id must be 1 to 64 of [A-Za-z0-9._-]");
    if (name.size() > account_limits::max_name_length) {
        return invalid("name must be at most 256 characters");
    }
    auto owner = db.find_user_by_email(normalize_email(email));
    if (!owner && owner.error() == store::errc::not_found) {
        return provisioning_error{owner.error(), "no user with this email"};
    }
    if (!owner) return failed(owner.error(), "finding the user");
    const std::string device_code = generate_token();
    const std::string token = generate_token();
    const auto t = now();
    // The same rows a browser approval makes: a code, approved at once, redeemed at once.
    store::result<store::device_code> code = make_error_code(store::errc::conflict);
    for (int attempt = 0; attempt < 5 && !code && code.error() == store::errc::conflict;
         ++attempt) {
        code = db.create_device_code({random_user_code(), store::hash_secret(device_code),
                                      std::string(host_id), "", "provisioning", t,
                                      t + provisioning_code_lifetime});
    }
    if (!code) return failed(code.error(), "creating the device code");
    auto decided = db.decide_device_code(code->user_code, owner->id, true, name, t);
    if (!decided) return failed(decided.error(), "approving the device code");
    auto device =
        db.redeem_device_code(store::hash_secret(device_code), store::hash_secret(token), t);
    if (!device) return failed(device.error(), "creating the device");
    return token;
}

}  // namespace windash::ingest
