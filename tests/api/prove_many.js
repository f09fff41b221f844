// Generate many Groth16 proofs in one node process with snarkjs's library API (test fixture).
// usage: node prove_many.js <snarkjs dir> <wasm> <zkey> <inputs.json> <out.json>
const fs = require("fs");
async function main() {
  const [snarkjsDir, wasm, zkey, inputsPath, outPath] = process.argv.slice(2);
  const snarkjs = require(snarkjsDir);
  const inputs = JSON.parse(fs.readFileSync(inputsPath, "utf8"));
  const results = [];
  for (const input of inputs) {
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, wasm, zkey);
    results.push({ proof, public: publicSignals });
  }
  fs.writeFileSync(outPath, JSON.stringify(results));
}
main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
