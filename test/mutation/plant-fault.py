#!/usr/bin/env python3
"""
Plant one fault of issue #10 (by id) in the source, run the given test files with vitest's JSON
reporter (reports/faults/<id>.json), print which tests failed, and restore the file with
`git checkout` (the fault is never committed). Usage, from the repository root on a clean tree:
  python3 test/mutation/plant-fault.py <id> <test files and vitest options> [VAR=value ...]
"""
import subprocess, sys, json, time, os
FAULTS = {
 'admin-token': ('src/server/http.ts', "if (!expected || !given || !safeEqual(given, expected)) {", "if (false) {"),
 'oa-order': ('src/channels/zalo-oa/signature.ts', "  hash.update(rawBody);\n  hash.update(timestamp, 'utf8');", "  hash.update(timestamp, 'utf8');\n  hash.update(rawBody);"),
 'revoke-access': ('src/domain/people/invitations.ts', "    if (!(await canManageUnit(tx, input.by, inv.unitId))) {\n      throw new AccessError('not a manager of the invitation unit'", "    if (false) {\n      throw new AccessError('not a manager of the invitation unit'"),
 'queue-claim': ('src/delivery/queue.ts', "    if (claimed.count === 0) return;\n", ""),
 'queue-no-slot': ('src/delivery/queue.ts', "      await reschedule(d.id, slot.retryInMs, { attempts: { decrement: 1 } });\n", ""),
 'queue-pause-429': ('src/delivery/queue.ts', "        await limiter.pause(d.channel, e.retryAfterMs);\n", ""),
 'queue-unconfigured': ('src/delivery/queue.ts', "    if (!channel) {", "    if (false) {"),
 'queue-non-delivery-error': ('src/delivery/queue.ts', "new DeliveryError(String(err), false, undefined, { cause: err })", "new DeliveryError(String(err), true, undefined, { cause: err })"),
 'queue-worker-died': ('src/delivery/queue.ts', "        retryLimit: 5,", "        retryLimit: 0,"),
 'reply-fallback': ('src/channels/webhook.ts', "if (!e.permanent && ctx.replyFallback) {", "if (false) {"),
 'redeem-claim': ('src/domain/people/invitations.ts', "    if (claimed.count !== 1) return null;\n", ""),
}
fid, *rest = sys.argv[1:]
envx = {}
args = []
for a in rest:
    if '=' in a and a.split('=')[0].isupper(): k, v = a.split('=', 1); envx[k] = v
    else: args.append(a)
path, old, new = FAULTS[fid]
src = open(path).read()
assert src.count(old) == 1, (fid, src.count(old))
open(path, 'w').write(src.replace(old, new))
try:
    t0 = time.time()
    os.makedirs('reports/faults', exist_ok=True)
    out = f'reports/faults/{fid}.json'
    r = subprocess.run(['nice', '-n', '15', 'npx', 'vitest', 'run', '--reporter=json', f'--outputFile={out}', *args],
                       env={**os.environ, **envx}, capture_output=True, text=True)
    rep = json.load(open(out))
    failed = [f"{os.path.relpath(tr['name'])} > {a['fullName']}" for tr in rep['testResults'] for a in tr['assertionResults'] if a['status'] == 'failed']
    print(json.dumps({'fault': fid, 'file': path, 'tests': args, 'env': envx, 'exit': r.returncode,
                      'seconds': round(time.time() - t0), 'failed': failed}, ensure_ascii=False))
finally:
    subprocess.run(['git', 'checkout', '--', path])
    assert open(path).read() == src
