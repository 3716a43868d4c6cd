// MemoryStorage: the reference implementation of the storage contract, kept in process memory.
// Not a test double: it is what an Engine opened without storage runs on, and the behaviour
// every other adapter is held to. Nothing survives the object.
#pragma once

#include <memory>

#include "hearth/storage/storage.hpp"

namespace hearth {

// Serialises transactions with a reader-writer lock: read transactions share it, a write
// transaction holds it alone for its whole life (so readers wait while a write is open).
// Rollback undoes the transaction's writes in reverse order.
class MemoryStorage final : public Storage {
 public:
  MemoryStorage();
  ~MemoryStorage() override;
  result<std::unique_ptr<Transaction>> begin(TxMode mode) override;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace hearth
