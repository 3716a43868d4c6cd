// What the kit's source files share (not installed).
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "hearth/conformance/kit.hpp"
#include "hearth/error.hpp"
#include "hearth/storage/storage.hpp"

namespace hearth::conformance::detail {

// A new, empty storage from the factory given to run().
std::shared_ptr<Storage> fresh_storage();

// The factory given to run(): its name, and its reopen (empty for a storage that does not
// persist).
const StorageFactory& factory();

// Whether the storage under test persists across a reopen. When it does not, the calling test
// case is told so (a WARN naming what it then skips) and has nothing more to check.
inline bool persists(std::string_view skipped = "nothing to check across a reopen") {
  if (factory().reopen) return true;
  WARN(factory().name + " does not persist: " + std::string(skipped));
  return false;
}

// A transaction of `mode` on `s`; the test case fails if it cannot begin.
inline std::unique_ptr<Transaction> begin(Storage& s, TxMode mode = TxMode::write) {
  auto tx = s.begin(mode);
  REQUIRE(tx.has_value());
  return std::move(*tx);
}

// The error of a failed result, which must be one of hearth's.
template <class T>
errc code_of(const result<T>& r) {
  REQUIRE_FALSE(r.has_value());
  REQUIRE(&r.error().category() == &hearth_category());
  return static_cast<errc>(r.error().value());
}

// For the cases whose own writes cannot fail by the contract: commit_entry_to_take stores a
// reputation entry in `s`; spoil_with_taken_id then inserts it again on `tx`, a write that
// fails (already_exists) and spoils the transaction, whose commit() must then fail.
inline ReputationEntry entry_to_take() {
  ReputationEntry taken;
  taken.id = ReputationEntryId{1};
  taken.member = MemberId{1};
  return taken;
}
inline void commit_entry_to_take(Storage& s) {
  auto tx = begin(s);
  REQUIRE(tx->insert_reputation_entry(entry_to_take()));
  REQUIRE(tx->commit());
}
inline void spoil_with_taken_id(Transaction& tx) {
  CHECK(code_of(tx.insert_reputation_entry(entry_to_take())) == errc::already_exists);
}

// Does nothing; run() calls it so that the linker keeps security_matrix.cpp's test cases (they
// would otherwise be dropped from the static library, nothing referring to them).
void link_security_matrix();
// The same for kit_search.cpp.
void link_search_kit();
// The same for kit_reputation.cpp.
void link_reputation_kit();
// The same for kit_trust.cpp.
void link_trust_kit();
// The same for kit_badges.cpp.
void link_badges_kit();
// The same for kit_audit.cpp.
void link_audit_kit();
// The same for kit_reports.cpp.
void link_reports_kit();
// The same for kit_notes.cpp.
void link_notes_kit();
void link_automod_kit();
// The same for kit_sanctions.cpp.
void link_sanctions_kit();
// kit_group_commit.cpp
void link_group_commit_kit();

}  // namespace hearth::conformance::detail
