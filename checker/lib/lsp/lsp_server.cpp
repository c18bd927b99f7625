#include "lsp/lsp_server.h"

#include "lsp/diagnostics.h"
#include "lsp/jsonrpc_framing.h"
#include "report/file_uri.h"
#include "support/strict_json.h"

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

namespace lockcheck::lsp {
namespace {
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Writes whole framed messages; the reader, worker and indexing threads all send.
class Connection {
public:
  explicit Connection(std::ostream &out) : out_(out) {}
  void send(const json &message) {
    std::string text = frame(message.dump(-1, ' ', false, json::error_handler_t::replace));
    std::lock_guard<std::mutex> lock(mutex_);
    // Written under the lock so messages never interleave; a client that stops reading
    // stalls the server either way.
    out_ << text << std::flush;
  }
  void respond(const json &id, json result) { send({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}); }
  void fail(const json &id, int code, const std::string &message) {
    send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
  }
  void notify(const std::string &method, json params) {
    send({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
  }
  void request(const json &id, const std::string &method, json params) {
    send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
  }

private:
  std::ostream &out_;
  std::mutex mutex_;
};

// What the reader and the indexing thread hand the worker.
struct Event {
  enum Kind { Message, Indexed, Eof } kind = Message;
  json message;
};

class EventQueue {
public:
  void push(Event e) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      events_.push_back(std::move(e));
    }
    ready_.notify_one();
  }
  // Waits until an event arrives or `deadline` passes (then empty).
  std::optional<Event> pop(std::optional<Clock::time_point> deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto has = [&] { return !events_.empty(); };
    if (deadline) ready_.wait_until(lock, *deadline, has);
    else ready_.wait(lock, has);
    if (events_.empty()) return std::nullopt;
    Event e = std::move(events_.front());
    events_.pop_front();
    return e;
  }
  void cancel(const json &id) {
    std::lock_guard<std::mutex> lock(mutex_);
    cancelled_.insert(id.dump());
  }
  bool takeCancelled(const json &id) {
    std::lock_guard<std::mutex> lock(mutex_);
    return cancelled_.erase(id.dump()) > 0;
  }

private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Event> events_;
  std::set<std::string> cancelled_; // ids of requests the client gave up on, as JSON text
};

bool validId(const json &id) { return id.is_string() || id.is_number_integer(); }

// Frames in, checked JSON-RPC messages out; answers what is broken at the wire level itself.
void readMessages(std::istream &in, Connection &connection, EventQueue &queue) {
  FrameReader reader(in);
  std::string body, error;
  while (true) {
    FrameReader::Status status = reader.next(body, error);
    if (status == FrameReader::Status::Eof) break;
    if (status == FrameReader::Status::BadHeader) {
      connection.fail(nullptr, kParseError, "bad message header: " + error);
      continue;
    }
    // Bounded: the server copies and walks messages recursively (params, ids).
    json message;
    if (strict_json::Error e; !strict_json::parse(body, message, e, strict_json::kBoundedOnly)) {
      connection.fail(nullptr, kParseError, "message body is not JSON (" + strict_json::describe(e) + ")");
      continue;
    }
    json id = message.is_object() && message.contains("id") ? message["id"] : json(nullptr);
    bool isResponse = message.is_object() && !message.contains("method") &&
                      (message.contains("result") || message.contains("error"));
    if (!message.is_object() || message["jsonrpc"] != "2.0" ||
        (!isResponse && (!message.contains("method") || !message["method"].is_string())) ||
        (message.contains("id") && !validId(id) && !id.is_null())) {
      connection.fail(validId(id) ? id : json(nullptr), kInvalidRequest,
                      "not a JSON-RPC 2.0 request, notification or response");
      continue;
    }
    if (!isResponse && message["method"] == "$/cancelRequest") {
      auto params = message.find("params");
      if (params != message.end() && params->is_object() && params->contains("id")) queue.cancel((*params)["id"]);
      continue;
    }
    queue.push({Event::Message, std::move(message)});
  }
  queue.push({Event::Eof, {}});
}

struct Document {
  std::string path;
  std::string text;
  int version = 0;
  std::optional<Clock::time_point> due; // analysis pending at this time
};

const char *const kProgressToken = "lockcheck/indexing";
const char *const kProgressCreateId = "lockcheck/create-progress";

class Server {
public:
  Server(Connection &connection, EventQueue &queue, Analysis &analysis, const ServerOptions &options)
      : connection_(connection), queue_(queue), analysis_(analysis), debounce_(options.debounce) {}

  ~Server() { stopIndexing(); }

  // The loop; returns the exit status.
  int run() {
    while (true) {
      auto now = Clock::now();
      if (progressDeadline_ && *progressDeadline_ <= now) startIndexing(false); // no answer: index without progress
      if (auto due = nextDue(); due && *due <= now) {
        analyseDue(); // before the next message, so a stream of messages cannot starve it
        continue;
      }
      std::optional<Event> event = queue_.pop(nextDue());
      if (!event) continue;
      if (event->kind == Event::Eof) return 1; // the client went away without `exit`
      if (event->kind == Event::Indexed) {
        indexDone();
        continue;
      }
      if (std::optional<int> status = handleSafely(event->message)) return *status;
    }
  }

private:
  // A well-formed message with parameters of the wrong types (a string where an object
  // belongs) fails in the JSON accessors: the request gets InvalidParams, the server goes on.
  std::optional<int> handleSafely(const json &m) {
    try {
      return handle(m);
    } catch (const std::exception &e) {
      if (m.contains("id") && m.contains("method"))
        connection_.fail(m["id"], kInvalidParams, std::string("bad params: ") + e.what());
      return std::nullopt;
    }
  }

  // One message; an exit status when it was `exit`.
  std::optional<int> handle(const json &m) {
    if (!m.contains("method")) { // a response to one of our requests
      if (m.value("id", json()) == kProgressCreateId) startIndexing(!m.contains("error"));
      return std::nullopt;
    }
    const std::string method = m["method"];
    const bool isRequest = m.contains("id");
    const json id = isRequest ? m["id"] : json();
    const json params = m.value("params", json::object());
    if (method == "exit") return shutdown_ ? 0 : 1;
    if (isRequest && queue_.takeCancelled(id)) {
      connection_.fail(id, kRequestCancelled, "request cancelled");
      return std::nullopt;
    }
    if (method == "initialize") {
      if (!isRequest) return std::nullopt;
      if (initialized_) connection_.fail(id, kInvalidRequest, "initialize was already received");
      else initialize(id, params);
      return std::nullopt;
    }
    if (!initialized_) {
      if (isRequest) connection_.fail(id, kServerNotInitialized, "the server is not initialized (send initialize first)");
      return std::nullopt;
    }
    if (shutdown_) {
      if (isRequest) connection_.fail(id, kInvalidRequest, "the server is shutting down (only exit is accepted)");
      return std::nullopt;
    }
    if (isRequest) {
      if (method == "shutdown") {
        shutdown_ = true;
        stopIndexing();
        connection_.respond(id, nullptr);
      } else {
        connection_.fail(id, kMethodNotFound, "unknown method '" + method + "'");
      }
      return std::nullopt;
    }
    if (!params.is_object()) return std::nullopt; // a notification cannot be answered: drop it
    if (method == "initialized") initializedNotification();
    else if (method == "textDocument/didOpen") didOpen(params);
    else if (method == "textDocument/didChange") didChange(params);
    else if (method == "textDocument/didSave") didSave(params);
    else if (method == "textDocument/didClose") didClose(params);
    else if (method == "workspace/didChangeConfiguration") didChangeConfiguration(params);
    // Other notifications ($/setTrace, workspace/didChangeWatchedFiles, ...) are ignored, as
    // the protocol asks.
    return std::nullopt;
  }

  void initialize(const json &id, const json &params) {
    if (!params.is_object()) {
      connection_.fail(id, kInvalidParams, "initialize needs params");
      return;
    }
    std::string root;
    auto uriParam = [&](const json &v) { return v.is_string() && pathFromFileUri(v.get<std::string>(), root); };
    if (!uriParam(params.value("rootUri", json())) && params.contains("workspaceFolders") &&
        params["workspaceFolders"].is_array() && !params["workspaceFolders"].empty())
      uriParam(params["workspaceFolders"][0].value("uri", json()));
    if (root.empty() && params.value("rootPath", json()).is_string()) root = params["rootPath"];
    if (root.empty()) root = std::filesystem::current_path().string();
    readSettings(params.value("initializationOptions", json()));
    const json &caps = params.value("capabilities", json::object());
    workDoneProgress_ = caps.is_object() && caps.value("/window/workDoneProgress"_json_pointer, false);
    std::string error;
    if (!analysis_.open(root, error)) {
      connection_.send({{"jsonrpc", "2.0"},
                        {"id", id},
                        {"error", {{"code", kInternalError}, {"message", error}, {"data", {{"retry", false}}}}}});
      return;
    }
    initialized_ = true;
    json capabilities = {{"textDocumentSync", {{"openClose", true}, {"change", 1}, {"save", {{"includeText", false}}}}}};
    connection_.respond(id, {{"capabilities", capabilities}, {"serverInfo", {{"name", "lockcheck"}, {"version", LOCKCHECK_VERSION}}}});
  }

  // initializationOptions and the "lockcheck" section of didChangeConfiguration's settings.
  void readSettings(const json &settings) {
    if (!settings.is_object()) return;
    if (settings.value("docsBaseUrl", json()).is_string()) style_.docsBaseUrl = settings["docsBaseUrl"];
    if (settings.value("debounceMs", json()).is_number_unsigned())
      debounce_ = std::chrono::milliseconds(settings["debounceMs"].get<unsigned>());
  }

  void initializedNotification() {
    if (!workDoneProgress_) return startIndexing(false);
    // Progress may be sent once the client has created the token; indexing waits for its
    // answer, but not forever.
    connection_.request(kProgressCreateId, "window/workDoneProgress/create", {{"token", kProgressToken}});
    progressDeadline_ = Clock::now() + std::chrono::seconds(2);
  }

  void startIndexing(bool withProgress) {
    progressDeadline_.reset();
    if (indexer_.joinable() || shutdown_) return;
    indexer_ = std::thread([this, withProgress] {
      auto progress = [&](json value) { connection_.notify("$/progress", {{"token", kProgressToken}, {"value", std::move(value)}}); };
      if (withProgress) progress({{"kind", "begin"}, {"title", "lockcheck: indexing"}, {"percentage", 0}, {"cancellable", false}});
      unsigned lastPercent = 0;
      analysis_.index(
          [&](size_t done, size_t total, const std::string &file) {
            unsigned percent = total ? static_cast<unsigned>(done * 100 / total) : 100;
            if (!withProgress || percent == lastPercent) return;
            lastPercent = percent;
            progress({{"kind", "report"}, {"message", std::to_string(done) + "/" + std::to_string(total) + " " + file},
                      {"percentage", percent}});
          },
          stopIndexing_);
      if (withProgress) progress({{"kind", "end"}, {"message", stopIndexing_ ? "stopped" : "done"}});
      queue_.push({Event::Indexed, {}});
    });
  }

  void stopIndexing() {
    stopIndexing_ = true;
    if (indexer_.joinable()) indexer_.join();
  }

  // Files indexed after a buffer opened can add findings to it: link again, parse nothing.
  void indexDone() {
    if (!documents_.empty()) publish(analysis_.relink(), {});
  }

  // A text document's URI and path, or nothing when it is not a local file.
  Document *document(const json &params, bool create = false) {
    const json &td = params.value("textDocument", json::object());
    if (!td.is_object() || !td.value("uri", json()).is_string()) return nullptr;
    std::string uri = td["uri"], path;
    if (!pathFromFileUri(uri, path)) return nullptr;
    auto it = documents_.find(uri);
    if (it == documents_.end()) {
      if (!create) return nullptr;
      it = documents_.emplace(uri, Document{}).first;
      it->second.path = std::filesystem::path(path).lexically_normal().string();
    }
    if (td.value("version", json()).is_number_integer()) it->second.version = td["version"];
    return &it->second;
  }

  void didOpen(const json &params) {
    Document *doc = document(params, true);
    if (!doc) return;
    doc->text = params["textDocument"].value("text", std::string());
    doc->due = Clock::now();
  }

  void didChange(const json &params) {
    Document *doc = document(params);
    if (!doc || !params.value("contentChanges", json()).is_array()) return;
    // Full sync (the capability we announce): the last change without a range is the buffer.
    for (const auto &change : params["contentChanges"])
      if (change.is_object() && !change.contains("range") && change.value("text", json()).is_string()) doc->text = change["text"];
    doc->due = Clock::now() + debounce_;
  }

  void didSave(const json &params) {
    Document *doc = document(params);
    if (!doc) return;
    if (params.value("text", json()).is_string()) doc->text = params["text"];
    doc->due = Clock::now();
  }

  // The buffer's unsaved text goes with it: the file's facts are the disk's again, which can
  // add or clear findings in the buffers still open.
  void didClose(const json &params) {
    const json &td = params.value("textDocument", json::object());
    if (!td.is_object() || !td.value("uri", json()).is_string()) return;
    std::string uri = td["uri"];
    auto it = documents_.find(uri);
    if (it == documents_.end()) return;
    std::string path = it->second.path;
    documents_.erase(it);
    connection_.notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}});
    analysis_.close(path);
    if (!documents_.empty()) publish(analysis_.relink(), {});
  }

  void didChangeConfiguration(const json &params) {
    const json &settings = params.value("settings", json::object());
    if (settings.is_object()) readSettings(settings.value("lockcheck", json::object()));
    if (!documents_.empty()) publish(analysis_.relink(), {});
  }

  std::optional<Clock::time_point> nextDue() const {
    std::optional<Clock::time_point> next = progressDeadline_;
    for (const auto &[uri, doc] : documents_)
      if (doc.due && (!next || *doc.due < *next)) next = doc.due;
    return next;
  }

  // Analyses every buffer that is due, then publishes every open buffer's diagnostics once:
  // an edit in one file can add or clear findings in another.
  void analyseDue() {
    auto now = Clock::now();
    std::vector<Finding> findings;
    std::map<std::string, std::string> errors; // by path
    bool analysed = false;
    for (auto &[uri, doc] : documents_) {
      if (!doc.due || *doc.due > now) continue;
      doc.due.reset();
      std::string error;
      findings = analysis_.analyze(doc.path, &doc.text, error);
      if (!error.empty()) errors[doc.path] = error;
      analysed = true;
    }
    if (analysed) publish(findings, errors);
  }

  void publish(const std::vector<Finding> &findings, const std::map<std::string, std::string> &errors) {
    std::map<std::string, const Document *> byPath;
    for (const auto &[uri, doc] : documents_) byPath[doc.path] = &doc;
    style_.lineText = [&](const std::string &path, unsigned line, std::string &text) {
      auto it = byPath.find(path);
      if (it == byPath.end() || line == 0) return false;
      std::istringstream in(it->second->text);
      for (unsigned i = 0; i < line; ++i)
        if (!std::getline(in, text)) return false;
      return true;
    };
    std::map<std::string, json> diagnostics;
    for (const auto &f : findings) {
      auto it = byPath.find(absolutePath(f.anchor.file));
      if (it != byPath.end()) diagnostics[it->first].push_back(toDiagnostic(f, style_));
    }
    for (const auto &[uri, doc] : documents_) {
      json list = diagnostics.count(doc.path) ? diagnostics[doc.path] : json::array();
      if (auto e = errors.find(doc.path); e != errors.end())
        // The file does not parse: say so once, at the top, instead of silently showing nothing new.
        list.push_back({{"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}}},
                        {"severity", 2},
                        {"source", "lockcheck"},
                        {"message", "not analysed (kept the last findings of other files): " + e->second}});
      connection_.notify("textDocument/publishDiagnostics", {{"uri", uri}, {"version", doc.version}, {"diagnostics", list}});
    }
    style_.lineText = nullptr;
  }

  Connection &connection_;
  EventQueue &queue_;
  Analysis &analysis_;
  std::chrono::milliseconds debounce_;
  DiagnosticStyle style_;
  bool initialized_ = false, shutdown_ = false, workDoneProgress_ = false;
  std::map<std::string, Document> documents_; // by URI
  std::thread indexer_;
  std::atomic<bool> stopIndexing_{false};
  std::optional<Clock::time_point> progressDeadline_; // waiting for the progress token until then
};

} // namespace

int runServer(std::istream &in, std::ostream &out, Analysis &analysis, const ServerOptions &options) {
  // Shared with the reader, which may outlive this call (see below).
  auto connection = std::make_shared<Connection>(out);
  auto queue = std::make_shared<EventQueue>();
  auto readerDone = std::make_shared<std::atomic<bool>>(false);
  std::thread reader([&in, connection, queue, readerDone] {
    readMessages(in, *connection, *queue);
    *readerDone = true;
  });
  int status;
  {
    Server server(*connection, *queue, analysis, options);
    status = server.run();
  }
  // After `exit` the client may keep the pipe open: do not wait on a read that never ends.
  for (int i = 0; i < 100 && !*readerDone; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (*readerDone) reader.join();
  else reader.detach();
  return status;
}

} // namespace lockcheck::lsp
