#include "drivers/outage/nftables/nftables_outage.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "drivers/outage/common/command_queue.hpp"
#include "drivers/outage/common/dnsmasq_leases.hpp"
#include "drivers/outage/common/effect_poll.hpp"
#include "drivers/outage/common/outage_params.hpp"
#include "drivers/outage/nftables/nft_table.hpp"
#include "rig/core/component_log.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

constexpr Duration kCounterPoll = 500ms;
// The dead-man lease (nft_rules.hpp): how long an outage outlives a rig that stopped renewing it.
constexpr Duration kDefaultLease = 10s;
// At least two renewals fit in a lease, so one late renewal never lets it lapse.
constexpr Duration kShortestLease = 2 * kOutageHoldPeriod;
constexpr Duration kLongestLease = 10min;

spdlog::logger& nft_log() {
  return component_log("nftables");
}

struct NftParams {
  std::string interface;  // empty: rules match on addresses alone
  std::string leases;     // dnsmasq leases file, or empty
  std::string netns;
  std::string table = "cyanrig";
  Duration lease = kDefaultLease;
};

struct DeviceAddress {
  std::string name;
  std::string ip;
  std::string mac;
};

std::optional<NftParams> read_params(const BackendSpec& spec, Diagnostics& diags) {
  MapReader params(spec.params, spec.loc.file, diags, "nftables outage backend");
  if (!params.valid()) return std::nullopt;
  const std::size_t errors_before = diags.size();
  params.node("backend");
  NftParams out;
  out.interface = read_interface(params, false).value_or("");
  out.leases = params.text("leases").value_or("");
  out.netns = read_netns(params);
  if (auto table = params.text("table")) {
    static const std::regex kTableName("[A-Za-z][A-Za-z0-9_]{0,31}");
    if (std::regex_match(*table, kTableName)) {
      out.table = *table;
    } else {
      params.error(
          "table",
          fmt::format("'table' must be a letter then up to 31 letters, digits or _, found '{}'", *table));
    }
  }
  if (const auto lease = params.duration("lease")) {
    if (*lease < kShortestLease || *lease > kLongestLease) {
      params.error("lease",
                   fmt::format("'lease' must be from {} to {}, found {}", format_duration(kShortestLease),
                               format_duration(kLongestLease), format_duration(*lease)));
    }
    out.lease = *lease;
  }
  params.finish();
  if (diags.size() != errors_before) return std::nullopt;
  return out;
}

bool is_table_mode(OutageMode mode) {
  return mode == OutageMode::cloud || mode == OutageMode::internet || mode == OutageMode::dns;
}

// The leases file, read when an outage starts (the devices may have new addresses since the rig
// started). A few lines from local disk: read on the loop.
std::map<std::string, std::string> read_leases(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream in(path);
  if (!in) {
    nft_log().warn("cannot read leases file {}: devices known by MAC are matched by MAC", path);
    return {};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ipv4_leases_by_mac(text.str());
}

class NftablesOutageSwitch final : public OutageSwitch {
 public:
  NftablesOutageSwitch(Clock& clock, std::shared_ptr<NftTable> table, NftParams params, std::string segment,
                       std::vector<DeviceAddress> devices)
      : clock_(clock),
        table_(std::move(table)),
        params_(std::move(params)),
        segment_(std::move(segment)),
        devices_(std::move(devices)),
        poll_(clock, kCounterPoll) {
    table_->enrol(comment_name(segment_));
  }

  void start(const OutageSpec& spec, Done done) override {
    if (!is_table_mode(spec.mode)) {
      return answer(std::move(done), fault(fmt::format("the nftables backend does not perform {} outages "
                                                       "(it does cloud, internet and dns)",
                                                       to_string(spec.mode))));
    }
    SegmentOutage outage{segment_, params_.interface, spec, sources()};
    spec_mode_ = spec.mode;
    if (outage.sources.empty()) {
      return answer(std::move(done),
                    fault(fmt::format("segment {} has no devices and the nftables backend no "
                                      "'interface': the outage would match nothing",
                                      segment_)));
    }
    expected_rules_ = rule_comments(outage);
    watched_.clear();
    for (const TrafficSource& source : outage.sources) {
      watched_.insert(source.device.empty() ? "" : comment_name(source.device));
    }
    nft_log().info("{}: {} outage ({}) in {}", segment_, to_string(spec.mode), to_string(spec.action),
                   table_->label());
    table_->put(std::move(outage), lifetime_.bind([this, done = std::move(done)](Status status) {
      if (status.ok()) {
        active_ = true;
        watch_counters();
      }
      done(std::move(status));
    }));
  }

  void stop(Done done) override {
    poll_.stop();
    table_->remove(segment_, lifetime_.bind([this, done = std::move(done)](Status status) {
      if (status.ok()) active_ = false;  // a failed lift may still be in force: say so, so it is retried
      done(std::move(status));
    }));
  }

  bool active() const override { return active_; }

  std::string describe() const override {
    return fmt::format("nftables {}{}", table_->label(),
                       params_.interface.empty() ? "" : " for traffic from " + params_.interface);
  }

  void watch(Effects on_effect) override { on_effect_ = std::move(on_effect); }

  // Checks that the table still holds this segment's rules under this process's lease, then renews it.
  void hold(Done done) override {
    if (!active_) return answer(std::move(done), Status{});
    table_->list(
        lifetime_.bind([this, done = std::move(done)](Status status, std::optional<TableListing> listing) {
          if (!status.ok()) return done(std::move(status));
          if (Status changed = as_started(listing); !changed.ok()) {
            nft_log().warn("{}: {}", segment_, changed.message());
            return done(std::move(changed));
          }
          table_->renew(lifetime_.bind([done](Status renewed) { done(std::move(renewed)); }));
        }));
  }

  void sweep(Swept done) override {
    table_->sweep(
        lifetime_.bind([this, done = std::move(done)](Status status, std::optional<std::size_t> rules) {
          if (!status.ok() || !rules) return done(std::move(status), std::nullopt);
          const std::string removed = fmt::format("removed {} left by an earlier run ({} rule{})",
                                                  table_->label(), *rules, *rules == 1 ? "" : "s");
          nft_log().info("{}", removed);  // the engine warns, once
          done(Status{}, removed);
        }));
  }

  void inspect(std::function<void(const OutageStatus&)> reply) override {
    table_->list(
        lifetime_.bind([this, reply = std::move(reply)](Status status, std::optional<TableListing> listing) {
          if (!status.ok()) return reply(OutageStatus{.what = describe(), .fault = std::move(status)});
          reply(status_of(listing));
        }));
  }

 private:
  void answer(Done done, Status status) {
    clock_.post(lifetime_.bind([done = std::move(done), status = std::move(status)] { done(status); }));
  }

  // The segment's devices as rule sources; everything on the interface for those without an address.
  std::vector<TrafficSource> sources() const {
    const auto leased = read_leases(params_.leases);
    std::vector<TrafficSource> out;
    bool unaddressed = devices_.empty();
    for (const DeviceAddress& device : devices_) {
      if (!device.ip.empty()) {
        out.push_back(source_for_address(device.ip, device.name));
      } else if (const auto lease = leased.find(device.mac); !device.mac.empty() && lease != leased.end()) {
        out.push_back(source_for_address(lease->second, device.name));
      } else if (!device.mac.empty()) {
        if (!params_.leases.empty()) {
          nft_log().info("{}: {} has no lease in {}; matching its MAC {}", segment_, device.name,
                         params_.leases, device.mac);
        }
        out.push_back(source_for_address(device.mac, device.name));
      } else {
        unaddressed = true;
      }
    }
    if (unaddressed && !params_.interface.empty()) out.push_back({TrafficSource::By::interface, "", ""});
    return out;
  }

  // What changed since start(), as a fault; ok when the outage is in force exactly as it was put.
  Status as_started(const std::optional<TableListing>& listing) const {
    const std::string where = fmt::format("the {} outage on {}", to_string(spec_mode_), segment_);
    if (!listing) {
      return fault(
          fmt::format("{} was removed from outside while {} was in force (`nft flush ruleset`, a "
                      "firewall reload?)",
                      table_->label(), where));
    }
    std::multiset<std::string> present;
    for (const RuleCounter& rule : listing->rules) present.insert(rule.comment);
    std::size_t missing = 0;
    std::string first_missing;
    for (const std::string& comment : expected_rules_) {
      const auto it = present.find(comment);
      if (it != present.end()) {
        present.erase(it);
      } else if (missing++ == 0) {
        first_missing = comment;
      }
    }
    if (missing > 0) {
      return fault(
          fmt::format("{} of the {} rules of {} were removed from {} from outside (`nft flush table`?), "
                      "'{}' among them",
                      missing, expected_rules_.size(), where, table_->label(), first_missing));
    }
    if (!listing->lease)
      return fault(fmt::format("the lease set of {} was removed from outside", table_->label()));
    const auto owner = lease_owner(listing->lease->owner);
    if (!owner || !(*owner == ProcessIdentity::self())) {
      return fault(fmt::format("{} was replaced from outside: its lease now names '{}'", table_->label(),
                               listing->lease->owner));
    }
    if (!listing->lease->left) {
      return fault(
          fmt::format("{} lapsed: its lease in {} ran out before it was renewed (the rig was stalled "
                      "for longer than {})",
                      where, table_->label(), format_duration(table_->lease().length)));
    }
    return Status{};
  }

  // Segment names are kept to comment-safe characters in the rules.
  bool ours(const RuleCounter& rule) const {
    return !rule.segment.empty() && rule.segment == comment_name(segment_);
  }

  // Reads the counters until every device whose packets are being stopped has been reported.
  void watch_counters() {
    reported_.clear();
    poll_.start([this](EffectPoll::Again again) {
      table_->list(lifetime_.bind([this, again](Status status, std::optional<TableListing> listing) {
        if (!status.ok()) nft_log().debug("{}: reading counters: {}", segment_, status.message());
        if (status.ok() && listing) report_effects(*listing);
        again(reported_.size() < watched_.size());
      }));
    });
  }

  void report_effects(const TableListing& listing) {
    std::map<std::string, std::string> evidence;  // by device ("" for the whole segment)
    for (const RuleCounter& rule : listing.rules) {
      if (!ours(rule) || rule.packets == 0 || reported_.count(rule.device) != 0) continue;
      std::string& text = evidence[rule.device];
      text += (text.empty() ? "" : ", ") + describe_evidence(rule);
    }
    for (const auto& [device, text] : evidence) {
      reported_.insert(device);
      nft_log().info("{}: {}: {}", segment_, device.empty() ? "segment" : device, text);
      if (on_effect_) on_effect_(OutageEffect{device, text});
    }
  }

  OutageStatus status_of(const std::optional<TableListing>& listing) const {
    OutageStatus out;
    if (!listing) {
      out.what = fmt::format("no outage on {} ({} is not loaded)", segment_, table_->label());
      return out;
    }
    const bool lapsed = listing->lease && !listing->lease->left;
    std::vector<const RuleCounter*> strangers;
    for (const RuleCounter& rule : listing->rules) {
      if (ours(rule)) {
        if (!out.in_force)
          out.what =
              fmt::format("{} outage ({}) on {} in {}", rule.mode, rule.action, segment_, table_->label());
        out.in_force = true;
        out.details.push_back(describe_counter(rule, params_.interface));
      } else if (!table_->enrolled(rule.segment) && table_->reports_strangers(comment_name(segment_))) {
        strangers.push_back(&rule);
      }
    }
    if (out.in_force && lapsed) {
      out.in_force = false;
      out.what = fmt::format(
          "no outage in force on {}: {} holds one whose lease ran out ({}), so its rules match "
          "nothing; `cyanrig outage clear` removes them",
          segment_, table_->label(), describe_owner(listing->lease->owner));
    } else if (out.in_force && listing->lease) {
      out.details.push_back(fmt::format("lease: {}, runs out in {} unless renewed",
                                        describe_owner(listing->lease->owner),
                                        format_duration(*listing->lease->left)));
    }
    if (!out.in_force && !lapsed) out.what = fmt::format("no outage on {}", segment_);
    for (const RuleCounter* rule : strangers) {
      out.details.push_back(fmt::format("not from this rack: {}{}",
                                        rule->segment.empty() ? "" : "segment " + rule->segment + ": ",
                                        describe_counter(*rule)));
    }
    if (!strangers.empty()) {
      out.what +=
          fmt::format("; {} also holds {} rule{} not from this rack (`cyanrig outage clear` removes them)",
                      table_->label(), strangers.size(), strangers.size() == 1 ? "" : "s");
    }
    return out;
  }

  // "held by pid 4242 (rack lab-a), which is running" / "..., which is gone".
  static std::string describe_owner(const std::string& comment) {
    const auto owner = lease_owner(comment);
    if (!owner) return fmt::format("held by '{}'", comment);
    const std::string rack = lease_rack(comment);
    return fmt::format("held by pid {}{}, which is {}", owner->pid,
                       rack.empty() ? "" : " (rack " + rack + ")", owner->alive() ? "running" : "gone");
  }

  Clock& clock_;
  std::shared_ptr<NftTable> table_;
  NftParams params_;
  std::string segment_;
  std::vector<DeviceAddress> devices_;
  bool active_ = false;
  Effects on_effect_;
  OutageMode spec_mode_ = OutageMode::cloud;
  std::vector<std::string> expected_rules_;  // the comments of the rules start() put in the table
  std::set<std::string> watched_;            // devices ("" for the whole segment) the rules match
  std::set<std::string> reported_;           // those whose effect has been reported for this outage
  EffectPoll poll_;
  Lifetime lifetime_;  // last: answers arriving after the switch is gone are dropped
};

std::vector<DeviceAddress> device_addresses(const BackendSite& site, const Rack& rack,
                                            const NftParams& params) {
  std::vector<DeviceAddress> out;
  const std::vector<const RackDevice*> devices = segment_devices(site, rack);
  for (const RackDevice* device : devices) {
    if (device->ip.empty() && device->mac.empty() && params.interface.empty()) {
      throw std::runtime_error(fmt::format(
          "segment {}: device {} has neither 'ip' nor 'mac', and the nftables backend has no 'interface' to "
          "match the whole segment by",
          segment_name(site), device->name));
    }
    out.push_back({device->name, device->ip, device->mac});
  }
  return out;
}

}  // namespace

BackendFactory<OutageSwitch> nftables_outage_backend() {
  return {.validate = [](const BackendSite& site, Diagnostics& diags) { read_params(site.spec, diags); },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<OutageSwitch> {
            Diagnostics diags;
            NftParams params =
                params_or_throw(read_params(site.spec, diags), diags, "nftables outage backend");
            require_steady_clock(ctx.clock(), "nftables");
            auto devices = device_addresses(site, ctx.rack(), params);
            const Lease lease{params.lease, lease_owner_text(ProcessIdentity::self(), ctx.rack().name)};
            auto table = ctx.shared<NftTables>([] { return std::make_shared<NftTables>(); })
                             .get(ctx.clock(), params.netns, params.table, lease, ctx.rack().secret_env);
            return std::make_unique<NftablesOutageSwitch>(ctx.clock(), std::move(table), std::move(params),
                                                          segment_name(site), std::move(devices));
          },
          .modes =
              [](const BackendSite&) {
                return std::vector<OutageMode>{OutageMode::cloud, OutageMode::internet, OutageMode::dns};
              }};
}

}  // namespace cyanrig
