#include "drivers/outage/nftables/nft_table.hpp"

#include <fmt/format.h>

#include <chrono>

#include "drivers/outage/common/command_queue.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

// nft answers in milliseconds; ten seconds means it hangs (a wedged netlink socket, a stuck lock).
constexpr Duration kNftTimeout = 10s;

}  // namespace

NftTable::NftTable(Clock& clock, std::string netns, std::string table, Lease lease,
                   std::vector<std::string> withheld)
    : netns_(std::move(netns)),
      table_(std::move(table)),
      lease_(std::move(lease)),
      withheld_(std::move(withheld)),
      queue_(clock) {}

std::string NftTable::label() const {
  return fmt::format("table inet {}{}", table_, netns_.empty() ? "" : " in netns " + netns_);
}

QueuedCommand NftTable::tool(std::vector<std::string> argv) const {
  return {.spec = {.text = tool_command_line(netns_, argv), .timeout = kNftTimeout, .withheld = withheld_}};
}

Status NftTable::failure(std::string_view what, const CommandOutput& out) const {
  return fault(
      fmt::format("nft could not {} {}: {}", what, label(), describe_ending(out.result, kNftTimeout)));
}

void NftTable::put(SegmentOutage outage, Done done) {
  const std::string segment = outage.segment;
  const std::uint64_t serial = next_serial_++;
  outages_[segment] = {std::move(outage), serial};
  load([this, segment, serial, done = std::move(done)](Status status) {
    // The kernel kept the table it had (nft -f is all or nothing); forget the outage unless a later
    // request has replaced it already.
    const auto it = outages_.find(segment);
    if (!status.ok() && it != outages_.end() && it->second.serial == serial) outages_.erase(it);
    done(std::move(status));
  });
}

void NftTable::remove(const std::string& segment, Done done) {
  outages_.erase(segment);
  load(std::move(done));
}

// The script is written when the load's turn comes, from the outages wanted at that moment.
void NftTable::load(Done done) {
  queue_.run_prepared(
      [this] {
        std::vector<SegmentOutage> wanted;
        for (const auto& [_, entry] : outages_) wanted.push_back(entry.outage);
        QueuedCommand command = tool({"nft", "-f", "-"});
        command.input = nft_script(table_, wanted, lease_);
        return command;
      },
      [this, done = std::move(done)](const CommandOutput& out) {
        done(out.result.exited_with(0) ? Status{} : failure("load", out));
      });
}

void NftTable::list(Listed listed) {
  QueuedCommand command = tool({"nft", "-j", "list", "table", "inet", table_});
  command.keep_output = true;
  queue_.run(std::move(command), [this, listed = std::move(listed)](const CommandOutput& out) {
    std::string error;
    if (out.result.exited_with(0)) {
      auto listing = parse_table_listing(out.output, table_, error);
      if (!listing) return listed(fault(fmt::format("{}: {}", label(), error)), std::nullopt);
      return listed(Status{}, std::move(listing));
    }
    // It failed: either the table is not there (the usual case), or nft itself cannot work. Only
    // the list of tables tells the two apart without reading nft's wording.
    QueuedCommand tables = tool({"nft", "-j", "list", "tables", "inet"});
    tables.keep_output = true;
    queue_.run(std::move(tables), [this, first = out, listed](const CommandOutput& all) {
      std::string parse_error;
      if (all.result.exited_with(0) && !table_listed(all.output, table_, parse_error) &&
          parse_error.empty()) {
        return listed(Status{}, std::nullopt);
      }
      listed(failure("list", first), std::nullopt);
    });
  });
}

void NftTable::renew(Done done) {
  QueuedCommand command = tool({"nft", "-f", "-"});
  command.input = renew_script(table_, lease_);
  queue_.run(std::move(command), [this, done = std::move(done)](const CommandOutput& out) {
    done(out.result.exited_with(0) ? Status{} : failure("renew the lease of", out));
  });
}

void NftTable::sweep(Swept swept) {
  // A table this run has loaded is not a leftover.
  if (!outages_.empty()) {
    return queue_.clock().post([swept = std::move(swept)] { swept(Status{}, std::nullopt); });
  }
  // Segments sharing the table sweep together (the engine asks them all at once): one finds the
  // leftover and reports it, the others wait for it and report nothing.
  sweepers_.push_back(std::move(swept));
  if (sweepers_.size() > 1) return;
  list([this](Status status, std::optional<TableListing> listing) {
    if (!status.ok() || !listing) return finish_sweep(std::move(status), std::nullopt);
    if (listing->lease) {
      const auto owner = lease_owner(listing->lease->owner);
      if (owner && !(*owner == ProcessIdentity::self()) && owner->alive()) {
        const std::string rack = lease_rack(listing->lease->owner);
        return finish_sweep(
            fault(
                fmt::format("{} belongs to a cyanrig that is still running (pid {}{}); left in place. Racks "
                            "that share a host need a `table:` each",
                            label(), owner->pid, rack.empty() ? "" : ", rack " + rack)),
            std::nullopt);
      }
    }
    const std::size_t rules = listing->rules.size();
    load([this, rules](Status loaded) {
      if (!loaded.ok()) return finish_sweep(std::move(loaded), std::nullopt);
      finish_sweep(Status{}, rules);
    });
  });
}

void NftTable::finish_sweep(Status status, std::optional<std::size_t> rules) {
  std::vector<Swept> waiting = std::exchange(sweepers_, {});
  for (std::size_t i = 0; i < waiting.size(); ++i) waiting[i](status, i == 0 ? rules : std::nullopt);
}

std::shared_ptr<NftTable> NftTables::get(Clock& clock, const std::string& netns, const std::string& table,
                                         const Lease& lease, const std::vector<std::string>& withheld) {
  auto& slot = tables_[{netns, table}];
  if (!slot) slot = std::make_shared<NftTable>(clock, netns, table, lease, withheld);
  slot->lengthen_lease(lease.length);
  return slot;
}

}  // namespace cyanrig
