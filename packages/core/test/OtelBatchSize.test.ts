import { assert, describe, it } from "@effect/vitest"
import { maxExportBatchSize } from "../src/internal/otel.js"

describe("the batch span processor's OTEL_BSP_MAX_EXPORT_BATCH_SIZE", () => {
  it("is taken when it is a positive integer, else the SDK's default 512 (0 made a flush loop until the heap ran out)", () => {
    assert.strictEqual(maxExportBatchSize({}), 512)
    assert.strictEqual(maxExportBatchSize({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "100" }), 100)
    for (const value of ["0", "-1", "1.5", "abc", "", " "]) {
      assert.strictEqual(maxExportBatchSize({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: value }), 512, value)
    }
  })
})
