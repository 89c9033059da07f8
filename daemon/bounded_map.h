#pragma once
// BoundedMap<K, V>: a map that keeps at most `capacity` keys, forgetting the oldest inserted
// first; for the daemon's memories of recent work (Idempotency-Keys of regenerate requests,
// the events a backfill published) that must not grow with uptime. Overwriting a key keeps
// its place in line. BoundedSet<K> is the same without values.
//
// Not synchronised: the owner guards it (or uses it from one thread).
#include <cstddef>
#include <deque>
#include <map>
#include <utility>
#include <variant>

namespace timelined::daemon {

template <typename K, typename V = std::monostate>
class BoundedMap {
 public:
  explicit BoundedMap(size_t capacity) : capacity_(capacity) {}

  // Inserts or overwrites `key`; a new key beyond capacity evicts the oldest one.
  void Put(K key, V value = {}) {
    auto [it, inserted] = map_.insert_or_assign(std::move(key), std::move(value));
    if (!inserted) return;
    order_.push_back(it->first);
    if (order_.size() > capacity_) {
      map_.erase(order_.front());
      order_.pop_front();
    }
  }

  // nullptr when absent; valid until the next Put.
  const V* Find(const K& key) const {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }
  bool Contains(const K& key) const { return map_.contains(key); }
  size_t size() const { return map_.size(); }

 private:
  size_t capacity_;
  std::map<K, V> map_;
  std::deque<K> order_;  // map_'s keys, oldest first
};

template <typename K>
using BoundedSet = BoundedMap<K, std::monostate>;

}  // namespace timelined::daemon
