"""Probe (not part of recur): the classifier of classifier_loo.py trained once on the lexicon and
all development logs, scored on the second held-out set (tests/data/voices/holdout2), which
nothing was tuned on. Results: benches/QUALITY.md.
usage: python3 benches/quality/probes/classifier_heldout.py
"""
import csv, re, sys, tomllib, glob, os, random, pickle
from collections import Counter
import numpy as np
import snowballstemmer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score as ARI
ROOT=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
st=snowballstemmer.stemmer('english')
lex=tomllib.load(open(f'{ROOT}/assets/tendencies.toml','rb'))['tendency']
IDS=[t['id'] for t in lex]
def norm(s):
    s=s.lower().replace("’","'")
    s=re.sub(r"n't\b"," not",s); s=re.sub(r"'(s|re|ve|ll|d|m)\b"," ",s)
    return ' '.join(st.stemWords(re.findall(r"[a-z]+",s)))
def load(path):
    r=list(csv.DictReader(open(path)))
    cols=[[x.get(c,'') or '' for x in r] for c in ('root_cause','lesson','behavioral_change')]
    return cols,[x['tendency'] for x in r]
logs=[f'{ROOT}/data/failure-log-labelled.csv',f'{ROOT}/tests/data/personal-25.csv']+sorted(glob.glob(f'{ROOT}/tests/data/voices/dev/*.csv')+glob.glob(f'{ROOT}/tests/data/voices/holdout/*.csv'))
data={p:load(p) for p in logs}
def docs(cols): return [norm(' '.join(z)) for z in zip(*cols)]
def shuffled(cols,rng):
    out=[]
    for col in cols:
        words=[w for s in col for w in s.split()]
        rng.shuffle(words); it=iter(words)
        out.append([' '.join(next(it) for _ in s.split()) for s in col])
    return out
lexX=[];lexY=[];lexW=[]
for t in lex:
    for c in t['cues']: lexX.append(norm(c)); lexY.append(t['id']); lexW.append(1.0)
    for c in t.get('hints',[]): lexX.append(norm(c)); lexY.append(t['id']); lexW.append(0.5)

from sklearn.metrics import normalized_mutual_info_score as NMI
X=list(lexX); Y=list(lexY); W=list(lexW)
for p in logs:
    for a,b in zip(docs(data[p][0]),data[p][1]): X.append(a); Y.append(b if b in IDS else 'none'); W.append(3.0)
vec=TfidfVectorizer(ngram_range=(1,2),sublinear_tf=True,token_pattern=r"[a-z]+")
clf=LogisticRegression(C=4.0,max_iter=3000).fit(vec.fit_transform(X),Y,sample_weight=W)
def seeds(d,TH):
    P=clf.predict_proba(vec.transform(d)); cls=clf.classes_
    return [cls[r.argmax()] if r.max()>=TH and cls[r.argmax()]!='none' else 'none' for r in P]
def decide(cols,TH,M,rng):
    s=seeds(docs(cols),TH); cnt=Counter(s); null=Counter()
    for _ in range(8): null.update(seeds(docs(shuffled(cols,rng)),TH))
    keep={t for t,c in cnt.items() if t!='none' and c>=3 and c>=null[t]/8+M}
    return [x if x in keep else 'none' for x in s]
fresh=sorted(glob.glob(f'{ROOT}/tests/data/voices/holdout2/*.csv'))
for TH,M in [(0.4,2.0),(0.5,2.0)]:
    res=[];found=tot=0;fp=0;n=0
    for p in fresh:
        cols,g=load(p); pred=decide(cols,TH,M,random.Random(1))
        for tag,c in Counter(g).items():
            if tag=='oneoff' or c<3: continue
            tot+=1; idx=[i for i,x in enumerate(g) if x==tag]
            mm=Counter(pred[i] for i in idx).most_common(1)[0]; found+=(mm[0]==tag and mm[1]*2>=c)
        res.append(ARI(g,pred))
        for s in range(3):
            sp=decide(shuffled(cols,random.Random(100+s)),TH,M,random.Random(7)); n+=1; fp+=any(x!='none' for x in sp)
    print(f'holdout2 TH={TH} M={M} mean ARI={np.mean(res):.3f} min={min(res):.3f} found={found}/{tot} shuffled-with-pattern={fp}/{n}', ' '.join(f'{x:.2f}' for x in res), flush=True)
