// Who a protocol session speaks for: the Authenticator a transport asks when a client says hello.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "hearth/clock.hpp"
#include "hearth/error.hpp"
#include "hearth/id.hpp"

namespace hearth {
class Engine;
}

namespace hearth::protocol {

// What a client presents in its `hello` (docs/protocol.md): a signed token, or in dev mode a
// plain handle. Either may be empty.
struct Credentials {
  std::string token;
  std::string handle;
};

// Turns credentials into a member. Implementations MUST be thread-safe: sessions on several
// threads call authenticate() at once.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The member the credentials name, active. On failure: the error, and in `why` a message for
  // the client that names the problem (never the secret, never whether another member exists):
  //   invalid_argument  malformed credentials (not a token, bad base64url or JSON, no subject)
  //   forbidden         a signature that does not verify, an algorithm other than the one
  //                     expected, an expired or not-yet-valid token, a wrong issuer
  //   not_found         no member has the subject as external reference (or the handle)
  //   gone              the member is deactivated
  virtual result<MemberId> authenticate(Engine& engine, const Credentials& credentials,
                                        std::string& why) = 0;
  // True for an authenticator that checks nothing (DevAuthenticator): servers say so loudly.
  virtual bool insecure() const noexcept { return false; }
};

// Development only: `handle` names the member, nothing is verified. INSECURE.
class DevAuthenticator final : public Authenticator {
 public:
  result<MemberId> authenticate(Engine& engine, const Credentials& credentials,
                                std::string& why) override;
  bool insecure() const noexcept override { return true; }
};

struct Hs256Options {
  std::string secret;  // the HMAC key shared with whoever issues tokens; at least 32 bytes
  std::string issuer;  // when not empty, the `iss` claim must equal it
  // Clock skew tolerated on `exp` and `nbf`, in seconds.
  std::int64_t leeway_seconds = 30;
};

// Verifies JSON Web Tokens signed with HMAC-SHA256 (RFC 7519, `alg` "HS256"): the `sub` claim is
// a member's external reference (Member::external_ref); `exp` (seconds since the Unix epoch) is
// required, `nbf` and `iss` are checked when present/configured. Time comes from the engine's
// clock.
class Hs256Authenticator final : public Authenticator {
 public:
  // invalid_argument for a secret shorter than 32 bytes.
  static result<std::unique_ptr<Hs256Authenticator>> create(Hs256Options options);

  result<MemberId> authenticate(Engine& engine, const Credentials& credentials,
                                std::string& why) override;

 private:
  explicit Hs256Authenticator(Hs256Options options) : options_(std::move(options)) {}
  Hs256Options options_;
};

// A token Hs256Authenticator accepts: {"alg":"HS256","typ":"JWT"} . {"sub": subject,
// "exp": expires_at / 1000 (seconds), "iss": issuer when not empty} . signature. For hosts that
// issue tokens with hearth, tests and the demo.
std::string make_hs256_token(std::string_view secret, std::string_view subject,
                             Timestamp expires_at_ms, std::string_view issuer = {});

}  // namespace hearth::protocol
