// The run record (checkpoint.bin, format PLRUN001) as `train --resume`, `eval`, `export` and
// plasticore.load_run read it: the tensor list (counts, names, dtypes, ranks, shapes vs the file's length),
// then the record (config text, epoch counter, history), then what resume does with it: restore the tensors
// into a network of each kind (rate EP, EqSpike, e-prop, e-prop on PCM devices), check that the record can
// continue a run, and evaluate the restored network.
#include <memory>
#include <vector>

#include "fuzz_target.hpp"
#include "run_record_kinds.hpp"
#include "train/run.hpp"
#include "train/run_record.hpp"

using namespace plasticore;

namespace {

using fuzz::Kind;
using fuzz::dataset_for;

void restore_into(const Kind& kind, const RunRecord& record) {
  ConfigReader reader = ConfigReader::from_string(kind.config, "fuzz config");
  const RunSpec spec = read_run_spec(reader);
  const std::unique_ptr<ArrayDataset> data = dataset_for(kind.sequences);
  std::unique_ptr<Learner> learner = spec.learner.build(*data, substrate_factory(spec.substrate));
  learner->restore(record.tensors);
  Trainer trainer(spec.trainer, *data, *learner);
  trainer.check_resumable(record, "fuzz record");
  (void)trainer.evaluate(Split::test);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  RunRecord record;
  bool parsed = false;
  fuzz::expect_answer([&] {
    record = parse_run_record(fuzz::bytes_of(data, size), "fuzz record");
    parsed = true;
  });
  if (!parsed) return 0;
  for (const Kind& kind : fuzz::kKinds) fuzz::expect_answer([&] { restore_into(kind, record); });
  return 0;
}
