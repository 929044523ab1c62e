// tessera quality: label-quality statistics on plain files, without a server
// or a database. This file only parses the command line; each command lives
// in cli/quality_<command>.cc and docs/quality.md describes them.
//
// The group parses its own arguments (the top-level parser passes everything
// after "quality" through) so that every usage error, from an unknown option
// to a missing value, prints one line and exits with 2, and data errors exit
// with 1, as the command group promises.
#include <cstdio>
#include <cstdlib>

#include "cli/common.h"
#include "cli/quality_commands.h"
#include "cli/quality_input.h"

namespace tessera::cli {

namespace {

const char* kCommands = "agreement, aggregate, annotators, spans, detection, label-issues";

void AddJudgementInput(CLI::App* cmd, std::string* input, std::string* control) {
  cmd->add_option("--input", *input,
                  "CSV with a header item,annotator,label (one row per judgement), or a Label "
                  "Studio JSON/JSONL export (detected by content)")
      ->required();
  cmd->add_option("--control", *control,
                  "Label Studio exports: only this control (from_name); default: every "
                  "choices/rating/number/taxonomy control, each reported");
}

int RunQuality(std::vector<std::string> reversed_args) {
  CLI::App app{"Label-quality statistics on files (see docs/quality.md)", "tessera quality"};
  app.require_subcommand(0, 1);
  app.footer(
      "Exit codes: 0 done, 1 the input files are wrong, 2 the command line is wrong.\n"
      "Run 'tessera quality <command> --help' for a command's options; docs/quality.md "
      "describes the file formats and outputs.");

  QualityAgreementArgs agreement;
  CLI::App* agreement_cmd = app.add_subcommand(
      "agreement", "Inter-annotator agreement of categorical judgements");
  AddJudgementInput(agreement_cmd, &agreement.input, &agreement.control);
  agreement_cmd
      ->add_option("--metric", agreement.metric,
                   "percent (mean pairwise agreement), cohen and scott (2 annotators), fleiss, "
                   "gwet (AC1/AC2), brennan-prediger, krippendorff")
      ->required()
      ->check(CLI::IsMember(
          {"percent", "cohen", "fleiss", "scott", "gwet", "brennan-prediger", "krippendorff"}));
  agreement_cmd
      ->add_option("--level", agreement.level,
                   "krippendorff only: nominal (default), ordinal, interval, ratio. Numeric "
                   "labels count by value when every label is a number, else by sorted order")
      ->check(CLI::IsMember({"nominal", "ordinal", "interval", "ratio"}));
  agreement_cmd
      ->add_option("--weights", agreement.weights,
                   "cohen, scott, fleiss, gwet, brennan-prediger: none (default), linear, quadratic")
      ->check(CLI::IsMember({"none", "linear", "quadratic"}));
  agreement_cmd->add_flag("--ci", agreement.ci,
                          "Add a 95% percentile bootstrap interval over items (1000 replicates, "
                          "fixed seed)");
  agreement_cmd->add_flag("--json", agreement.json, "Print JSON");

  QualityAggregateArgs aggregate;
  CLI::App* aggregate_cmd = app.add_subcommand(
      "aggregate",
      "One label per item from several annotators' labels. dawid-skene also estimates each "
      "annotator's confusion matrix; majority reports instead each annotator's agreement with "
      "the majority label (ties give no label)");
  AddJudgementInput(aggregate_cmd, &aggregate.input, &aggregate.control);
  aggregate_cmd->add_option("--method", aggregate.method, "majority or dawid-skene")
      ->required()
      ->check(CLI::IsMember({"majority", "dawid-skene"}));
  aggregate_cmd->add_flag("--json", aggregate.json, "Print JSON");

  QualityAnnotatorsArgs annotators;
  CLI::App* annotators_cmd = app.add_subcommand(
      "annotators",
      "Rank annotators by Dawid-Skene estimated accuracy and by agreement with the majority "
      "of the other annotators (leave-one-out)");
  AddJudgementInput(annotators_cmd, &annotators.input, &annotators.control);
  annotators_cmd->add_flag("--json", annotators.json, "Print JSON");

  QualitySpansArgs spans;
  CLI::App* spans_cmd = app.add_subcommand(
      "spans", "Entity-level precision, recall and F1 of a CoNLL IOB2 file against a reference");
  spans_cmd
      ->add_option("--reference", spans.reference,
                   "Reference CoNLL file: one token per line, tag in the last column, blank "
                   "lines between sentences")
      ->required();
  spans_cmd->add_option("--candidate", spans.candidate, "Candidate CoNLL file, same tokens")
      ->required();
  spans_cmd
      ->add_option("--mode", spans.mode,
                   "strict: an entity is B-X then I-X tags (seqeval strict IOB2); lenient: "
                   "conlleval's rules, a stray I-X starts an entity")
      ->check(CLI::IsMember({"strict", "lenient"}))
      ->capture_default_str();
  spans_cmd->add_flag("--json", spans.json, "Print JSON");

  QualityDetectionArgs detection;
  CLI::App* detection_cmd = app.add_subcommand(
      "detection", "COCO box detection metrics (pycocotools' twelve summary numbers)");
  detection_cmd
      ->add_option("--gt", detection.ground_truth,
                   "COCO ground truth JSON (images, annotations, categories)")
      ->required();
  detection_cmd
      ->add_option("--dt", detection.detections,
                   "COCO results JSON: [{image_id, category_id, bbox, score}, ...]")
      ->required();
  detection_cmd->add_flag("--json", detection.json, "Print JSON");

  QualityLabelIssuesArgs issues;
  CLI::App* issues_cmd = app.add_subcommand(
      "label-issues", "Likely label errors by confident learning, from out-of-sample predicted "
                      "probabilities");
  issues_cmd
      ->add_option("--labels", issues.labels,
                   "Given labels: one class index (0..K-1) per line; a first line that is not a "
                   "number is a header")
      ->required();
  issues_cmd
      ->add_option("--pred-probs", issues.pred_probs,
                   "CSV of predicted probabilities: one row of K numbers per example, each row "
                   "summing to 1; a first row that is not numbers is a header")
      ->required();
  issues_cmd
      ->add_option("--filter-by", issues.filter_by,
                   "prune-by-noise-rate, prune-by-class, both, confident-joint")
      ->check(CLI::IsMember({"prune-by-noise-rate", "prune-by-class", "both", "confident-joint"}))
      ->capture_default_str();
  issues_cmd->add_flag("--json", issues.json, "Print JSON");

  try {
    std::vector<std::string> pending = reversed_args;  // CLI11 consumes it
    app.parse(pending);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError& e) {
    if (app.get_subcommands().empty()) {
      const std::string word = reversed_args.empty() ? "" : reversed_args.back();
      return Report(UsageError("\"" + word + "\" is not a command of tessera quality; the commands are " +
                               kCommands + " (see 'tessera quality --help')"));
    }
    std::string where = "tessera quality " + app.get_subcommands().front()->get_name();
    return Report(UsageError(std::string(e.what()) + " (see '" + where + " --help')"));
  } catch (const CLI::ParseError& e) {
    std::string where = "tessera quality";
    for (const CLI::App* sub : app.get_subcommands()) where += " " + sub->get_name();
    std::string message = e.what();
    if (message.empty()) message = e.get_name();
    return Report(UsageError(message + " (see '" + where + " --help')"));
  }
  if (app.get_subcommands().empty()) {
    return Report(UsageError(std::string("a command is required: ") + kCommands +
                             " (see 'tessera quality --help')"));
  }
  const CLI::App* chosen = app.get_subcommands().front();
  if (chosen == agreement_cmd) return RunQualityAgreement(agreement);
  if (chosen == aggregate_cmd) return RunQualityAggregate(aggregate);
  if (chosen == annotators_cmd) return RunQualityAnnotators(annotators);
  if (chosen == spans_cmd) return RunQualitySpans(spans);
  if (chosen == detection_cmd) return RunQualityDetection(detection);
  return RunQualityLabelIssues(issues);
}

}  // namespace

void RegisterQuality(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "quality",
      std::string("Label-quality statistics on files: ") + kCommands +
          " (run 'tessera quality --help')");
  // Everything after "quality" goes to RunQuality's own parser.
  cmd->prefix_command();
  cmd->allow_extras();
  cmd->set_help_flag();
  cmd->callback([cmd] { std::exit(RunQuality(cmd->remaining_for_passthrough())); });
}

}  // namespace tessera::cli
