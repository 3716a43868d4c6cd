// Runs the storage conformance kit against MemoryStorage, the reference adapter.
#include "hearth/conformance/kit.hpp"
#include "hearth/storage/memory.hpp"

int main(int argc, char** argv) {
  hearth::conformance::StorageFactory factory;
  factory.name = "MemoryStorage";
  factory.create = []() -> hearth::result<std::shared_ptr<hearth::Storage>> {
    return std::make_shared<hearth::MemoryStorage>();
  };
  return hearth::conformance::run(std::move(factory), argc, argv);
}
