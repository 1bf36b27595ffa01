// The rig's one nftables table (`inet cyanrig` unless the rack says otherwise), shared by every
// segment whose outage backend uses it in this run.
//
// The table's text is rebuilt from every segment's outage at each change and loaded whole, in one
// transaction, so segments never see each other's half-applied state. Loads, listings, renewals and
// sweeps go through one queue: a stop asked while a start is loading lands after it. Side effect
// worth knowing: a reload resets every rule's counter, so counters count since the table last changed.
//
// The table carries the run's dead-man lease (nft_rules.hpp): each load starts it afresh and renew()
// extends it; the lease set's comment names this process, and a sweep never removes a table whose
// owner still runs.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "drivers/outage/common/command_queue.hpp"
#include "drivers/outage/nftables/nft_rules.hpp"
#include "rig/capabilities/status.hpp"

namespace cyanrig {

class NftTable {
 public:
  // nullopt listing: the table does not exist.
  using Listed = std::function<void(Status, std::optional<TableListing>)>;
  // How many rules a table left behind had, when one was removed.
  using Swept = std::function<void(Status, std::optional<std::size_t>)>;

  // `withheld`: variables of the rig's environment nft must not see (the rack's secret_env).
  NftTable(Clock& clock, std::string netns, std::string table, Lease lease,
           std::vector<std::string> withheld);

  // Segments of this rack that use the table (as rule comments spell them): rules naming any
  // other segment were left by something else, and `outage status` says so.
  void enrol(const std::string& segment) { enrolled_.insert(segment); }
  bool enrolled(const std::string& segment) const { return enrolled_.count(segment) != 0; }
  // The segment that reports rules nobody in this rack owns (the first enrolled), so they are
  // listed once.
  bool reports_strangers(const std::string& segment) const {
    return !enrolled_.empty() && *enrolled_.begin() == segment;
  }

  // Loads the table with `outage` in force for its segment (replacing what that segment had).
  void put(SegmentOutage outage, Done done);
  // Loads the table without `segment`'s rules, deleting it when no segment has any. Works whatever
  // is loaded, including nothing, and may be called any number of times.
  void remove(const std::string& segment, Done done);
  void list(Listed listed);
  // Gives the lease its whole length again. Fails when the table or its lease set is gone.
  void renew(Done done);
  const Lease& lease() const { return lease_; }
  // Deletes a table that an earlier, killed run left, unless a segment of this run has rules in it.
  // A table whose lease names another process that still runs is left alone: that is a fault saying
  // whose it is (two racks on one host sharing a table name).
  void sweep(Swept swept);

  const std::string& name() const { return table_; }
  void lengthen_lease(Duration length) { lease_.length = std::max(lease_.length, length); }
  // "table inet cyanrig", plus " in netns NAME".
  std::string label() const;

 private:
  struct Entry {
    SegmentOutage outage;
    std::uint64_t serial = 0;
  };
  void load(Done done);
  void finish_sweep(Status status, std::optional<std::size_t> rules);
  QueuedCommand tool(std::vector<std::string> argv) const;
  Status failure(std::string_view what, const CommandOutput& out) const;

  std::string netns_;
  std::string table_;
  Lease lease_;
  std::vector<std::string> withheld_;
  CommandQueue queue_;
  std::map<std::string, Entry> outages_;  // by segment: what the table should hold
  std::uint64_t next_serial_ = 1;
  std::set<std::string> enrolled_;
  std::vector<Swept> sweepers_;  // sweeps waiting for the one under way (the first does the work)
};

// One NftTable per (namespace, table) for a whole run, kept in BackendContext::shared.
class NftTables {
 public:
  // The first segment to ask makes the table; a later one with a longer lease lengthens it.
  std::shared_ptr<NftTable> get(Clock& clock, const std::string& netns, const std::string& table,
                                const Lease& lease, const std::vector<std::string>& withheld);

 private:
  std::map<std::pair<std::string, std::string>, std::shared_ptr<NftTable>> tables_;
};

}  // namespace cyanrig
