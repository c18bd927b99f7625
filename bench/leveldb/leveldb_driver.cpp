// Exercises google/leveldb under liblockcheck-runtime.so (docs/runtime.md, "leveldb"): writers
// on several threads (the writer queue and its condition variable), a small write buffer so
// memtables are flushed and compacted in the background, synced writes, reads, iterators,
// snapshots, a manual compaction, approximate sizes, close and reopen (recovery), destroy.
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

void fail(const leveldb::Status &s, const char *what) {
  if (s.ok()) return;
  std::fprintf(stderr, "leveldb_driver: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

std::string key(int thread, int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "k%02d-%08d", thread, i);
  return buf;
}

leveldb::DB *open(const std::string &path) {
  leveldb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 64 * 1024; // many memtable flushes and compactions
  leveldb::DB *db = nullptr;
  fail(leveldb::DB::Open(options, path, &db), "open");
  return db;
}

} // namespace

int main(int argc, char **argv) {
  std::string path = argc > 1 ? argv[1] : "/tmp/leveldb_driver_db";
  int perThread = argc > 2 ? std::atoi(argv[2]) : 20000;
  leveldb::DestroyDB(path, leveldb::Options());
  leveldb::DB *db = open(path);
  std::string value(100, 'v');

  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t)
    writers.emplace_back([&, t] {
      leveldb::WriteOptions sync;
      sync.sync = (t == 0);
      for (int i = 0; i < perThread; ++i) {
        if (i % 10 == 0) {
          leveldb::WriteBatch batch;
          batch.Put(key(t, i), value);
          batch.Delete(key(t, i - 5));
          fail(db->Write(sync, &batch), "batch");
        } else {
          fail(db->Put(leveldb::WriteOptions(), key(t, i), value), "put");
        }
      }
    });
  for (auto &w : writers) w.join();

  const leveldb::Snapshot *snapshot = db->GetSnapshot();
  std::string got;
  for (int i = 0; i < perThread; i += 97) {
    leveldb::ReadOptions read;
    read.snapshot = snapshot;
    leveldb::Status s = db->Get(read, key(1, i), &got);
    if (!s.ok() && !s.IsNotFound()) fail(s, "get");
  }
  db->ReleaseSnapshot(snapshot);
  leveldb::Iterator *it = db->NewIterator(leveldb::ReadOptions());
  long count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  fail(it->status(), "iterate");
  delete it;
  db->CompactRange(nullptr, nullptr);
  leveldb::Range all("k", "l");
  uint64_t size = 0;
  db->GetApproximateSizes(&all, 1, &size);
  std::string stats;
  db->GetProperty("leveldb.stats", &stats);
  delete db;

  db = open(path); // recovery: replays the log, reads the manifest
  fail(db->Get(leveldb::ReadOptions(), key(2, perThread - 1), &got), "get after reopen");
  delete db;
  fail(leveldb::DestroyDB(path, leveldb::Options()), "destroy");
  std::printf("leveldb_driver: %ld keys, ~%llu bytes\n", count, static_cast<unsigned long long>(size));
  return 0;
}
