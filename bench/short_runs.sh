# The short training budgets of bench/ab.sh and bench/threads.sh, one per config (sourced, not run):
# long enough that training dominates start-up, short enough for interleaved repeats.
declare -A SHORT_RUN=(
  [eprop_sine]="--set train.epochs=5 --set data.train_limit=40"
  [eprop_evidence]="--set train.epochs=1 --set data.train_limit=128 --set data.test_limit=8"
  [bptt_sine]="--set train.epochs=5 --set data.train_limit=80"
  [bptt_evidence]="--set train.epochs=1 --set data.train_limit=192 --set data.test_limit=8"
  [ep_mnist]="--set train.epochs=1 --set data.train_limit=10000 --set data.test_limit=500"
  [eqspike_mnist]="--set train.epochs=1 --set data.train_limit=2000 --set data.test_limit=200"
  [eqspike_eop_mnist]="--set train.epochs=1 --set data.train_limit=2000 --set data.test_limit=200"
  [eqspike_chip_mnist]="--set train.epochs=1 --set data.train_limit=2000 --set data.test_limit=200"
)
