// A storage that fails one of its methods on demand, for the engine's atomicity tests.
#pragma once

#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include "hearth/storage/wrapper.hpp"

namespace hearth::test {

// Forwards every call to its target, but fails the n-th call of `method` (counting from 0,
// across transactions) with storage_error when fail_at is n; with fail_at -1, none fails.
// With `throws`, that call throws std::bad_alloc instead: an adapter, or the engine's own
// bookkeeping, running out of memory where the engine does not expect an exception.
class FailingMethod final : public StorageWrapper {
 public:
  FailingMethod(std::shared_ptr<Storage> target, std::string method)
      : StorageWrapper(std::move(target)), method_(std::move(method)) {}
  int fail_at = -1;
  bool throws = false;

 protected:
  std::unique_ptr<Transaction> wrap(std::unique_ptr<Transaction> tx, TxMode) override {
    class Tx final : public TransactionWrapper {
     public:
      Tx(std::unique_ptr<Transaction> t, FailingMethod& owner)
          : TransactionWrapper(std::move(t)), owner_(owner) {}
      result<void> on_call(std::string_view name) override {
        if (name == owner_.method_ && owner_.fail_at >= 0 && owner_.fail_at-- == 0) {
          if (owner_.throws) throw std::bad_alloc();
          return errc::storage_error;
        }
        return {};
      }

     private:
      FailingMethod& owner_;
    };
    return std::make_unique<Tx>(std::move(tx), *this);
  }

 private:
  std::string method_;
};

}  // namespace hearth::test
